#!/usr/bin/python3
# Encrypt or decrypt a file with AES-256-GCM (python3-cryptography):
#   weights.py encrypt KEYFILE IN OUT     OUT = nonce(12) | ciphertext | tag
#   weights.py decrypt KEYFILE IN OUT     KEYFILE "-" reads the key from stdin
# decrypt fails (status 1) with a wrong key or a modified file.
import os
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

AAD = b"ratkn lab model weights v1"


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("encrypt", "decrypt"):
        sys.exit("usage: weights.py encrypt|decrypt KEYFILE IN OUT")
    mode, keyfile, src, dst = sys.argv[1:]
    if keyfile == "-":
        key = sys.stdin.buffer.read()
    else:
        with open(keyfile, "rb") as f:
            key = f.read()
    if len(key) != 32:
        sys.exit("weights.py: key must be 32 octets, got %d" % len(key))
    with open(src, "rb") as f:
        data = f.read()
    aead = AESGCM(key)
    if mode == "encrypt":
        nonce = os.urandom(12)
        out = nonce + aead.encrypt(nonce, data, AAD)
    else:
        try:
            out = aead.decrypt(data[:12], data[12:], AAD)
        except InvalidTag:
            sys.exit("weights.py: decryption failed (wrong key or modified "
                     "file)")
    with open(dst, "wb") as f:
        f.write(out)


main()
