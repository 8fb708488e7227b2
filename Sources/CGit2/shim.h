#ifndef CHRONOS_CGIT2_SHIM_H
#define CHRONOS_CGIT2_SHIM_H
#include <git2.h>
#endif
