#ifndef CHRONOS_CYAML_SHIM_H
#define CHRONOS_CYAML_SHIM_H
#include <yaml.h>
#endif
