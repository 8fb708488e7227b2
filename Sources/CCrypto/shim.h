#ifndef CHRONOS_CCRYPTO_SHIM_H
#define CHRONOS_CCRYPTO_SHIM_H
/* OpenSSL's libcrypto, which libcurl already brings: SHA-256 and HMAC-SHA256, nothing else. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#endif
