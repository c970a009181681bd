# SPDX-License-Identifier: BSD-2-Clause
# SMAF's pseudo-TA, built into OP-TEE's core (copied to core/pta/smaf/).
global-incdirs-y += .
srcs-y += smaf_pta.c
