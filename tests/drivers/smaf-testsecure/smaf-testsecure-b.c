// SPDX-License-Identifier: GPL-2.0
/*
 * A second copy of the test secure module under another name, to test that
 * SMAF refuses a second secure module.
 */
#include "smaf-testsecure.c"
