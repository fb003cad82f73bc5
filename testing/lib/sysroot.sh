# shellcheck shell=bash
#
# Copyright (C) 2026 ratkn developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# Views of a cached system root (a Debian 13 root made by debootstrap, see
# testing/setup-system): an overlay with the cached root as its only lower
# layer, so that nothing a build or a lab host writes reaches the cache,
# plus /proc, /sys, /dev and the given paths bind-mounted at the same place.
# Used by testing/setup-system (builds inside the root) and by the lab
# (hosts whose charon runs from the root). Every function here must run in
# a mount namespace of its own (unshare -m --propagation private, or a lab
# host's namespace): the mounts vanish with it.

# sysroot_view ROOT VIEW SCRATCH [PATH...]: mount the view of ROOT at VIEW;
# the overlay's upper and work directories go to SCRATCH (a tmpfs is
# mounted there unless it is one already); each PATH (a directory or a file
# of this namespace) is bind-mounted to the same path inside the view
sysroot_view()
{
	local root=$1 view=$2 scratch=$3 path
	shift 3
	mkdir -p "$scratch" "$view"
	if [[ $(stat -f -c %T "$scratch") != tmpfs ]]; then
		mount -t tmpfs -o mode=0755 ratkn-sysroot-scratch "$scratch" ||
			return 1
	fi
	mkdir -p "$scratch/upper" "$scratch/work"
	mount -t overlay ratkn-sysroot \
		-o "lowerdir=$root,upperdir=$scratch/upper,workdir=$scratch/work" \
		"$view" || return 1
	mount -t proc ratkn-sysroot-proc "$view/proc" || return 1
	mount --rbind /sys "$view/sys" || return 1
	mount --rbind /dev "$view/dev" || return 1
	for path; do
		sysroot_bind "$view" "$path" "$path" || return 1
	done
}

# sysroot_bind VIEW SRC DST: bind-mount SRC (of this namespace) to DST
# inside VIEW, creating the mount point in the view's upper layer
sysroot_bind()
{
	local view=$1 src=$2 dst=$3
	if [[ -d $src ]]; then
		mkdir -p "$view$dst"
	else
		mkdir -p "$(dirname "$view$dst")"
		[[ -e $view$dst ]] || : >"$view$dst"
	fi
	mount --bind "$src" "$view$dst"
}

# sysroot_exec VIEW CMD...: run CMD inside VIEW in the current directory
# (chroot(1) changes to /)
sysroot_exec()
{
	local view=$1
	shift
	# shellcheck disable=SC2016
	chroot "$view" /bin/sh -c 'cd "$0" 2>/dev/null || cd /; exec "$@"' \
		"$PWD" "$@"
}

# sysroot_root_mounts ROOT: /proc, /dev, /sys and resolv.conf for working on
# ROOT itself (apt-get), in the current mount namespace
sysroot_root_mounts()
{
	local root=$1
	mount -t proc ratkn-sysroot-proc "$root/proc" || return 1
	mount --rbind /sys "$root/sys" || return 1
	mount --rbind /dev "$root/dev" || return 1
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}
