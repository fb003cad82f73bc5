# Fuzz targets of ratkn, built with clang and libFuzzer against the objects
# of a configured build tree. testing/fuzz/run uses this file together with
# the Makefile automake generated for src/verifier, whose variables (CC,
# CFLAGS, AM_CPPFLAGS, *_LIBS) it reuses:
#
#   make -C BUILD/src/verifier -f Makefile -f SRC/testing/fuzz/fuzz.mk \
#        FUZZ_OUT=DIR fuzz-targets
#
# The build tree must be configured with CC=clang and
# CFLAGS=-fsanitize=fuzzer-no-link,address,undefined (testing/fuzz/run does).

FUZZ_DIR = $(abs_top_srcdir)/testing/fuzz
FUZZ_OUT = $(abs_top_builddir)/fuzz

FUZZ_TARGETS = tlv negotiate evidence appraisal ak_public signature result \
	ear ear_claims verifier_client credential verifier_api keys share

FUZZ_CPPFLAGS = $(AM_CPPFLAGS) -I$(abs_top_srcdir)/src/verifier \
	-I$(FUZZ_DIR) -DFUZZ_DATADIR=\"$(FUZZ_DIR)/data\"

FUZZ_CORE = $(abs_top_builddir)/src/plugins/ratkn/.libs/libratkn-core.a
FUZZ_VERIFIER = $(abs_top_builddir)/src/verifier/.libs/libverifier.a
# the libraries both depend on, as libtool recorded them (the core gains
# dependencies as it grows)
FUZZ_LIBS = $(STRONGSWAN_LIBS) $(filter-out %.la,$(shell sed -n \
	"s/^dependency_libs='\(.*\)'$$/\1/p" \
	$(abs_top_builddir)/src/plugins/ratkn/libratkn-core.la \
	$(abs_top_builddir)/src/verifier/libverifier.la))

FUZZ_BINS = $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_TARGETS))

fuzz-targets: $(FUZZ_BINS)

fuzz-seeds: $(FUZZ_OUT)/gen_seeds

$(FUZZ_OUT)/fuzz_common.o: $(FUZZ_DIR)/fuzz_common.c $(FUZZ_DIR)/fuzz_common.h
	@mkdir -p $(FUZZ_OUT)
	$(CC) $(CFLAGS) $(FUZZ_CPPFLAGS) -c -o $@ $<

$(FUZZ_OUT)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_OUT)/fuzz_common.o \
		$(FUZZ_DIR)/fuzz_common.h $(FUZZ_VERIFIER) $(FUZZ_CORE)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(FUZZ_CPPFLAGS) -o $@ $< \
		$(FUZZ_OUT)/fuzz_common.o $(FUZZ_VERIFIER) $(FUZZ_CORE) $(FUZZ_LIBS)

# not a fuzzer: writes the seed corpora with a private swtpm
$(FUZZ_OUT)/gen_seeds: $(FUZZ_DIR)/gen_seeds.c $(FUZZ_OUT)/fuzz_common.o \
		$(abs_top_srcdir)/src/plugins/ratkn/tests/swtpm_fixture.c \
		$(FUZZ_VERIFIER) $(FUZZ_CORE)
	$(CC) $(CFLAGS) $(FUZZ_CPPFLAGS) $(CHECK_CFLAGS) \
		-I$(abs_top_srcdir)/src/plugins/ratkn/tests -DSWTPM=\"$(SWTPM)\" \
		-o $@ $< $(abs_top_srcdir)/src/plugins/ratkn/tests/swtpm_fixture.c \
		$(FUZZ_OUT)/fuzz_common.o $(FUZZ_VERIFIER) $(FUZZ_CORE) $(FUZZ_LIBS) \
		$(CHECK_LIBS)

.PHONY: fuzz-targets fuzz-seeds
