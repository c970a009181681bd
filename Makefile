# SMAF top-level build.
#   make            module (for every test kernel), libsmaf, smafctl, tests
#   make demo       see SMAF work in a real kernel (QEMU)
#   make check      run every test on every test kernel (QEMU)
#   make bench      benchmarks against the mainline heaps (QEMU, 6.12)
#   make unit       native unit tests of the pure logic, with sanitizers
#   make compat     the module and tools build, warning-free, against every
#                   supported Debian kernel and compiler (headers only)
#   make style      checkpatch --strict on the kernel sources
#   make sparse     sparse on the module
#   make install    the module (running kernel, or KVER=), libsmaf, its
#                   headers and pkg-config file, smafctl, the man pages
#   make uninstall  removes what make install installed
#   make deb        Debian packages (smaf-dkms, libsmaf1, libsmaf-dev,
#                   smaf-tools) in build/deb/

# The one place the version is kept: debian/changelog.
VERSION   := $(shell sed -n '1s/^[^ ]* (\([^)-]*\).*/\1/p' debian/changelog)
PREFIX    ?= /usr/local
LIBDIR    ?= $(PREFIX)/lib
MANDIR    ?= $(PREFIX)/share/man
KVER      ?= $(shell uname -r)
# Where make install puts what a module that extends SMAF builds with.
SMAF_KIT  ?= $(PREFIX)/src/smaf-$(VERSION)
BUILD     ?= build
CC        ?= gcc
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Werror -std=gnu11
UAPI      := -Iinclude/uapi
# Kernels to build the modules for: Debian's (make check adds the debug one).
KVERS     ?= $(shell tests/harness/kernels.sh debian 2>/dev/null)

LIB_CFLAGS  := $(CPPFLAGS) $(CFLAGS) $(WARN) $(UAPI) -Ilib -fPIC -fvisibility=hidden -D_GNU_SOURCE
# Product programs (tools/, examples/, bench/): no test include path.
TOOL_CFLAGS := $(CPPFLAGS) $(CFLAGS) $(WARN) $(UAPI) -Ilib -D_GNU_SOURCE
PROG_CFLAGS := $(CPPFLAGS) $(CFLAGS) $(WARN) $(UAPI) -Ilib -Itests/vm -Iexamples -Itests/drivers/smaf-edu -Itests/drivers/smaf-ptprobe -Itests/drivers/smaf-importer -Itests/drivers/smaf-teeprobe -I/usr/include/libdrm -D_GNU_SOURCE
SAN_CFLAGS  := -O1 -g $(WARN) -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -Ikernel -Iinclude -include tests/unit/kernel-types.h

TESTS_SRC := $(wildcard tests/vm/t-*.c tests/vm/d-*.c tests/vm/r-*.c tests/vm/s-*.c)
TESTS_BIN := $(patsubst tests/vm/%.c,$(BUILD)/tests/%,$(TESTS_SRC))
KSRC      := $(wildcard kernel/*.c kernel/*.h kernel/*.mk kernel/*/*.c kernel/*/*.h \
		       include/linux/smaf/*.h) \
	     kernel/Kbuild include/uapi/linux/smaf.h

# smaf.ko's sub-folders, one per layer.
KDIRS     := $(patsubst %/,%,$(wildcard kernel/*/))

all: modules lib tools tests

# ---- kernel module, one build per test kernel ---------------------------
# Standalone test-only drivers: smaf-edu (QEMU's edu DMA device),
# smaf-ptprobe (reads the caller's page tables), smaf-importer (maps an
# imported dma-buf through its own node) and smaf-bench (the benchmarks'
# baseline, bench/).
TEST_DRIVERS := smaf-edu smaf-ptprobe smaf-bench smaf-importer
# Every module build: W=1, and a warning fails it.
KBUILD_W := W=1 KCFLAGS=-Werror
modules: $(foreach k,$(KVERS),$(BUILD)/kernel/$(k)/smaf.ko $(BUILD)/kernel/$(k)/smaf-testsecure.ko \
	$(BUILD)/kernel/$(k)/smaf-testalloc.ko $(BUILD)/kernel/$(k)/smaf-optee.stamp \
	$(BUILD)/kernel/$(k)/smaf-teeprobe.stamp \
	$(foreach d,$(TEST_DRIVERS),$(BUILD)/kernel/$(k)/$(d).ko))

# Which kernel tree each kernel's modules were built against: rewritten
# only when it changes (the debug kernel rebuilt from another fragment),
# which then rebuilds that kernel's modules.
$(BUILD)/kernel/%/kdir: FORCE
	@mkdir -p $(@D)
	@k=$$(tests/harness/kdir.sh $*) && \
		{ [ "$$(cat $@ 2>/dev/null)" = "$$k" ] || echo "$$k" > $@; }
.PRECIOUS: $(BUILD)/kernel/%/kdir
FORCE:

$(BUILD)/kernel/%/smaf.ko: $(KSRC) $(BUILD)/kernel/%/kdir
	@mkdir -p $(@D)
	cp -r kernel/*.c kernel/*.h kernel/*.mk kernel/Kbuild $(KDIRS) $(@D)/
	$$(tests/harness/kdir.sh --run $*) $(MAKE) -C $$(tests/harness/kdir.sh $*) \
		$$(tests/harness/kdir.sh --make-args $*) \
		M=$(abspath $(@D)) SMAF_UAPI=$(abspath include/uapi) $(KBUILD_W) \
		$(if $(filter debug,$*),SMAF_KUNIT=y) modules

# Standalone test-only drivers (TEST_DRIVERS), each tests/drivers/NAME/
# giving NAME.ko.
define test_driver
$$(BUILD)/kernel/%/$(1).ko: $$(wildcard tests/drivers/$(1)/*) kernel/smaf-compat.h kernel/smaf-compat.mk \
		$$(BUILD)/kernel/%/kdir
	@mkdir -p $$(@D)/$(1)
	cp $$(wildcard tests/drivers/$(1)/*) $$(@D)/$(1)/
	$$$$(tests/harness/kdir.sh --run $$*) $$(MAKE) -C $$$$(tests/harness/kdir.sh $$*) \
		$$$$(tests/harness/kdir.sh --make-args $$*) \
		M=$$(abspath $$(@D)/$(1)) SMAF_KERNEL_SRC=$$(abspath kernel) $$(KBUILD_W) modules
	cp $$(@D)/$(1)/$(1).ko $$@
endef
$(foreach d,$(TEST_DRIVERS),$(eval $(call test_driver,$(d))))

# Test-only modules that extend SMAF through its public headers only
# (include/linux/smaf/), as a module built outside the tree does: the
# secure module (and a second copy, to test that only one registers) and
# an allocator.  The packaging lane builds them against the installed
# smaf-dkms package instead (tests/harness/package.sh).
EXT_SRC := $(wildcard tests/drivers/smaf-testsecure/* tests/drivers/smaf-testalloc/*) \
	   $(wildcard include/linux/smaf/*.h) include/uapi/linux/smaf.h
define ext_driver
$$(BUILD)/kernel/%/$(1).ko: $$(EXT_SRC) $$(BUILD)/kernel/%/smaf.ko $$(BUILD)/kernel/%/kdir
	@mkdir -p $$(@D)/$(1)
	cp $$(wildcard tests/drivers/$(1)/*) $$(@D)/$(1)/
	$$$$(tests/harness/kdir.sh --run $$*) $$(MAKE) -C $$$$(tests/harness/kdir.sh $$*) \
		$$$$(tests/harness/kdir.sh --make-args $$*) M=$$(abspath $$(@D)/$(1)) $$(KBUILD_W) \
		SMAF_INCLUDE=$$(abspath include) \
		KBUILD_EXTRA_SYMBOLS=$$(abspath $$(@D))/Module.symvers modules
	cp $$(@D)/$(1)/*.ko $$(@D)/
endef
$(eval $(call ext_driver,smaf-testsecure))
$(eval $(call ext_driver,smaf-testalloc))

# The OP-TEE secure module (secure/optee/), built the same way; only
# kernels with the TEE subsystem give a smaf-optee.ko, hence the stamp.
OPTEE_SRC := $(wildcard secure/optee/Kbuild secure/optee/*.[ch] secure/optee/pta/*.h) \
	     $(wildcard include/linux/smaf/*.h) include/uapi/linux/smaf-optee.h
$(BUILD)/kernel/%/smaf-optee.stamp: $(OPTEE_SRC) $(BUILD)/kernel/%/smaf.ko $(BUILD)/kernel/%/kdir
	@rm -rf $(@D)/smaf-optee $(@D)/smaf-optee.ko
	@mkdir -p $(@D)/smaf-optee/pta
	cp secure/optee/Kbuild secure/optee/*.[ch] $(@D)/smaf-optee/
	cp secure/optee/pta/*.h $(@D)/smaf-optee/pta/
	$$(tests/harness/kdir.sh --run $*) $(MAKE) -C $$(tests/harness/kdir.sh $*) \
		$$(tests/harness/kdir.sh --make-args $*) M=$(abspath $(@D)/smaf-optee) $(KBUILD_W) \
		SMAF_INCLUDE=$(abspath include) SMAF_UAPI=$(abspath include/uapi) \
		KBUILD_EXTRA_SYMBOLS=$(abspath $(@D))/Module.symvers modules
	if [ -f $(@D)/smaf-optee/smaf-optee.ko ]; then cp $(@D)/smaf-optee/smaf-optee.ko $(@D)/; fi
	@touch $@

# The test driver that asks the pseudo-TA as a hostile kernel would; also
# only where the kernel has the TEE subsystem.
$(BUILD)/kernel/%/smaf-teeprobe.stamp: $(wildcard tests/drivers/smaf-teeprobe/*) \
		secure/optee/pta/pta_smaf.h $(BUILD)/kernel/%/kdir
	@rm -rf $(@D)/smaf-teeprobe $(@D)/smaf-teeprobe.ko
	@mkdir -p $(@D)/smaf-teeprobe
	cp tests/drivers/smaf-teeprobe/* $(@D)/smaf-teeprobe/
	$$(tests/harness/kdir.sh --run $*) $(MAKE) -C $$(tests/harness/kdir.sh $*) \
		$$(tests/harness/kdir.sh --make-args $*) M=$(abspath $(@D)/smaf-teeprobe) $(KBUILD_W) \
		SMAF_PTA=$(abspath secure/optee/pta) modules
	if [ -f $(@D)/smaf-teeprobe/smaf-teeprobe.ko ]; then cp $(@D)/smaf-teeprobe/smaf-teeprobe.ko $(@D)/; fi
	@touch $@

# ---- libsmaf ------------------------------------------------------------
lib: $(BUILD)/lib/libsmaf.so.1 $(BUILD)/lib/libsmaf.a

$(BUILD)/lib/%.pic.o: lib/%.c lib/libsmaf.h include/uapi/linux/smaf.h
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

$(BUILD)/lib/libsmaf.so.1: $(BUILD)/lib/libsmaf.pic.o
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libsmaf.so.1 -o $@ $^ -lpthread
	ln -sf libsmaf.so.1 $(BUILD)/lib/libsmaf.so

$(BUILD)/lib/libsmaf.a: $(BUILD)/lib/libsmaf.pic.o
	$(AR) rcs $@ $^

# ---- tools (static, so the same binary runs in the test VM; SHARED=1 links
# libsmaf.so.1, as the Debian package does) ------------------------------
tools: $(BUILD)/tools/smafctl

ifeq ($(SHARED),1)
SMAFCTL_LIB  := $(BUILD)/lib/libsmaf.so.1
SMAFCTL_LINK := -L$(BUILD)/lib -lsmaf -lpthread
else
SMAFCTL_LIB  := $(BUILD)/lib/libsmaf.a
SMAFCTL_LINK := -static $(BUILD)/lib/libsmaf.a -lpthread
endif

# smafctl reads heap aliases with the module's own parser.
ALIAS_SRC := kernel/front/smaf-heap-alias.c kernel/smaf-param-list.c
ALIAS_HDR := kernel/front/smaf-heap-alias.h kernel/smaf-param-list.h
# One file per command (tools/smafctl/).
SMAFCTL_SRC := $(wildcard tools/smafctl/*.c)
$(BUILD)/tools/smafctl: $(SMAFCTL_SRC) tools/smafctl/smafctl.h $(ALIAS_SRC) $(ALIAS_HDR) lib/libsmaf.h \
			$(SMAFCTL_LIB)
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) $(LDFLAGS) -Ikernel -Itools/smafctl -o $@ $(SMAFCTL_SRC) $(ALIAS_SRC) \
		$(SMAFCTL_LINK)

# ---- tests --------------------------------------------------------------
UNIT_BIN := $(BUILD)/tests/unit/test-constraints $(BUILD)/tests/unit/test-policy \
	    $(BUILD)/tests/unit/test-heap-alias

tests: vm-programs $(UNIT_BIN)

# What the test VM runs, static; for arm64:
#   make vm-programs BUILD=build/arm64 CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar
vm-programs: $(TESTS_BIN) $(BUILD)/examples/smaf-demo $(BUILD)/tools/smafctl \
	     $(BUILD)/bench/smaf-bench

# The devices of a video pipeline, shared by the example, the benchmark and
# the tests (which may use product code; never the other way round).
MEDIA := examples/media.c examples/media.h
MEDIA_CFLAGS := -Iexamples -I/usr/include/libdrm

# The benchmark drives the test drivers, whose uAPI headers it includes.
$(BUILD)/bench/smaf-bench: bench/smaf-bench.c bench/fixed.c bench/fixed.h \
			   bench/sustain.c bench/sustain.h \
			   tests/drivers/smaf-bench/smaf-bench.h \
			   tests/drivers/smaf-edu/smaf-edu.h $(MEDIA) $(BUILD)/lib/libsmaf.a
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) $(MEDIA_CFLAGS) -Itests/drivers/smaf-bench -Itests/drivers/smaf-edu \
		-static -pthread -o $@ $< bench/fixed.c bench/sustain.c examples/media.c \
		$(BUILD)/lib/libsmaf.a

$(BUILD)/tests/%: tests/vm/%.c tests/vm/smaf-test.c tests/vm/smaf-test.h $(MEDIA) $(BUILD)/lib/libsmaf.a
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -static -pthread -o $@ $< tests/vm/smaf-test.c examples/media.c \
		$(BUILD)/lib/libsmaf.a

$(BUILD)/examples/smaf-demo: examples/smaf-demo.c $(MEDIA) $(BUILD)/lib/libsmaf.a
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) $(MEDIA_CFLAGS) -static -pthread -o $@ $< examples/media.c \
		$(BUILD)/lib/libsmaf.a

$(BUILD)/tests/unit/test-constraints: tests/unit/test-constraints.c kernel/memory/smaf-constraints.c kernel/memory/smaf-constraints.h
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -o $@ tests/unit/test-constraints.c kernel/memory/smaf-constraints.c

$(BUILD)/tests/unit/test-policy: tests/unit/test-policy.c kernel/devices/smaf-policy.c kernel/devices/smaf-policy.h \
				  kernel/smaf-param-list.c kernel/smaf-param-list.h
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -o $@ tests/unit/test-policy.c kernel/devices/smaf-policy.c kernel/smaf-param-list.c

$(BUILD)/tests/unit/test-heap-alias: tests/unit/test-heap-alias.c $(ALIAS_SRC) $(ALIAS_HDR)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -o $@ tests/unit/test-heap-alias.c $(ALIAS_SRC)

unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do $$t || exit 1; done

# ---- VM runs ------------------------------------------------------------
deps:
	tests/harness/deps.sh

check: deps
	$(MAKE) all
	tests/harness/check.sh

demo: deps
	$(MAKE) all
	tests/harness/demo.sh

compat: deps
	tests/harness/compat.sh

# Benchmarks (bench/): build/bench/results.{json,md,png}.  Not a test.
bench: deps
	$(MAKE) all
	bench/run.sh

# ---- style --------------------------------------------------------------
# checkpatch.pl comes from the host's linux-source tarball (6.1 on Debian
# 12, 6.12 on Debian 13), unpacked once.
SRC_SERIES := $(shell tests/harness/host-suite.sh --source 2>/dev/null || echo 6.1)
CHECKPATCH := $(BUILD)/checkpatch/scripts/checkpatch.pl
$(CHECKPATCH):
	@test -f /usr/src/linux-source-$(SRC_SERIES).tar.xz || { echo "style: needs linux-source-$(SRC_SERIES) (apt-get install linux-source-$(SRC_SERIES))"; exit 1; }
	@mkdir -p $(BUILD)/checkpatch
	tar -xJf /usr/src/linux-source-$(SRC_SERIES).tar.xz -C $(BUILD)/checkpatch --strip-components=1 \
		linux-source-$(SRC_SERIES)/scripts/checkpatch.pl linux-source-$(SRC_SERIES)/scripts/spelling.txt \
		linux-source-$(SRC_SERIES)/scripts/const_structs.checkpatch

style: $(CHECKPATCH)
	perl $(CHECKPATCH) --strict --no-tree --terse -f kernel/*.[ch] kernel/*/*.[ch] \
		include/uapi/linux/smaf.h include/linux/smaf/*.h \
		tests/drivers/*/*.c tests/drivers/*/*.h secure/optee/*.[ch] secure/optee/pta/pta_smaf.h \
		include/uapi/linux/smaf-optee.h

sparse: $(KSRC)
	$(MAKE) -C /usr/src/linux-headers-$(firstword $(KVERS)) M=$(abspath kernel) \
		SMAF_UAPI=$(abspath include/uapi) C=2 modules
	$(MAKE) -C /usr/src/linux-headers-$(firstword $(KVERS)) M=$(abspath kernel) clean

# ---- install ------------------------------------------------------------
MANPAGES := man/smafctl.1 man/libsmaf.3 man/smaf.4

install: install-module install-lib install-tools install-man

# The module, built against /lib/modules/$(KVER)/build, into updates/.
install-module:
	@test -d /lib/modules/$(KVER)/build || { echo "install: no headers for $(KVER) (apt-get install linux-headers-$(KVER))"; exit 1; }
	@mkdir -p $(BUILD)/install/$(KVER)
	cp -r kernel/*.c kernel/*.h kernel/*.mk kernel/Kbuild $(KDIRS) $(BUILD)/install/$(KVER)/
	$(MAKE) -C /lib/modules/$(KVER)/build M=$(abspath $(BUILD)/install/$(KVER)) \
		SMAF_UAPI=$(abspath include/uapi) modules
	# Unsigned (a user has no key for the kernel's signing; DKMS signs with
	# its own where configured); compressed as the kernel's own modules.
	$(MAKE) -C /lib/modules/$(KVER)/build M=$(abspath $(BUILD)/install/$(KVER)) \
		INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= \
		modules_install
	depmod $(if $(DESTDIR),-b $(DESTDIR)) -a $(KVER)
	# What a module that extends SMAF builds with (docs/extending.md): the
	# public headers, and the symbols of the module just built for KVER.
	install -d $(DESTDIR)$(SMAF_KIT)/include/linux/smaf $(DESTDIR)$(SMAF_KIT)/include/uapi/linux \
		$(DESTDIR)$(SMAF_KIT)/$(KVER)
	install -m 644 include/linux/smaf/*.h $(DESTDIR)$(SMAF_KIT)/include/linux/smaf/
	install -m 644 include/uapi/linux/smaf.h $(DESTDIR)$(SMAF_KIT)/include/uapi/linux/
	install -m 644 $(BUILD)/install/$(KVER)/Module.symvers $(DESTDIR)$(SMAF_KIT)/$(KVER)/
	# smaf-optee, the secure module for OP-TEE, where the kernel has the
	# TEE subsystem (its Kbuild builds nothing otherwise).
	rm -rf $(BUILD)/install/$(KVER)/smaf-optee && mkdir -p $(BUILD)/install/$(KVER)/smaf-optee/pta
	cp secure/optee/Kbuild secure/optee/*.[ch] $(BUILD)/install/$(KVER)/smaf-optee/
	cp secure/optee/pta/pta_smaf.h $(BUILD)/install/$(KVER)/smaf-optee/pta/
	$(MAKE) -C /lib/modules/$(KVER)/build M=$(abspath $(BUILD)/install/$(KVER)/smaf-optee) \
		SMAF_INCLUDE=$(abspath include) SMAF_UAPI=$(abspath include/uapi) \
		KBUILD_EXTRA_SYMBOLS=$(abspath $(BUILD)/install/$(KVER))/Module.symvers modules
	if [ -f $(BUILD)/install/$(KVER)/smaf-optee/smaf-optee.ko ]; then \
		$(MAKE) -C /lib/modules/$(KVER)/build M=$(abspath $(BUILD)/install/$(KVER)/smaf-optee) \
			INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= \
			modules_install && depmod $(if $(DESTDIR),-b $(DESTDIR)) -a $(KVER); fi

install-lib: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include/linux
	install -m 644 $(BUILD)/lib/libsmaf.so.1 $(BUILD)/lib/libsmaf.a $(DESTDIR)$(LIBDIR)/
	ln -sf libsmaf.so.1 $(DESTDIR)$(LIBDIR)/libsmaf.so
	# Generated here, so that it names the directories actually installed to.
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		lib/libsmaf.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libsmaf.pc
	install -m 644 lib/libsmaf.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 include/uapi/linux/smaf.h include/uapi/linux/smaf-optee.h \
		$(DESTDIR)$(PREFIX)/include/linux/

install-tools: tools
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/tools/smafctl $(DESTDIR)$(PREFIX)/bin/

install-man:
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man4
	install -m 644 man/smafctl.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/libsmaf.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 644 man/smaf.4 $(DESTDIR)$(MANDIR)/man4/

uninstall:
	rm -f $(foreach m,smaf smaf-optee,$(foreach z,. .xz .zst,\
		$(DESTDIR)/lib/modules/$(KVER)/updates/$(m).ko$(z:.=)))
	rm -f $(DESTDIR)$(SMAF_KIT)/include/linux/smaf/*.h $(DESTDIR)$(SMAF_KIT)/include/uapi/linux/smaf.h \
		$(DESTDIR)$(SMAF_KIT)/$(KVER)/Module.symvers
	-rmdir -p $(DESTDIR)$(SMAF_KIT)/include/linux/smaf $(DESTDIR)$(SMAF_KIT)/include/uapi/linux \
		$(DESTDIR)$(SMAF_KIT)/$(KVER) 2>/dev/null
ifeq ($(DESTDIR),)
	-depmod -a $(KVER)
else
	# A staging root: its module indexes are make install's too.
	rm -f $(DESTDIR)/lib/modules/$(KVER)/modules.*
endif
	rm -f $(DESTDIR)$(LIBDIR)/libsmaf.so.1 $(DESTDIR)$(LIBDIR)/libsmaf.so \
		$(DESTDIR)$(LIBDIR)/libsmaf.a $(DESTDIR)$(LIBDIR)/pkgconfig/libsmaf.pc \
		$(DESTDIR)$(PREFIX)/include/libsmaf.h $(DESTDIR)$(PREFIX)/include/linux/smaf.h \
		$(DESTDIR)$(PREFIX)/include/linux/smaf-optee.h \
		$(DESTDIR)$(PREFIX)/bin/smafctl $(DESTDIR)$(MANDIR)/man1/smafctl.1 \
		$(DESTDIR)$(MANDIR)/man3/libsmaf.3 $(DESTDIR)$(MANDIR)/man4/smaf.4

# Man pages render without a warning.
man-check:
	@for m in $(MANPAGES); do \
		out=$$(LC_ALL=C.UTF-8 MANWIDTH=80 groff -ww -mandoc -Tutf8 -z $$m 2>&1); \
		[ -z "$$out" ] || { echo "$$m: $$out"; exit 1; }; \
	done; echo "man pages: no warnings"

# ---- Debian packages ----------------------------------------------------
# dpkg-buildpackage on a copy of the tree (it writes next to the source);
# the packages land in build/deb/.
deb:
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/smaf-$(VERSION)
	git ls-files -z 2>/dev/null | xargs -0 cp --parents -t $(BUILD)/deb/smaf-$(VERSION) || \
		tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C $(BUILD)/deb/smaf-$(VERSION)
	cd $(BUILD)/deb/smaf-$(VERSION) && dpkg-buildpackage -us -uc -b
	ls $(BUILD)/deb/*.deb

clean:
	rm -rf $(BUILD)

.PHONY: all modules compat lib tools tests unit deps check demo style sparse install install-module \
	install-lib install-tools install-man uninstall man-check deb clean
