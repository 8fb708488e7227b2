#ifndef CHRONOS_CCURL_SHIM_H
#define CHRONOS_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: typed wrappers. */
static inline CURLcode chronos_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode chronos_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode chronos_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode chronos_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
/* The write callback is a function pointer, which the void* wrapper cannot carry. */
typedef size_t (*chronos_curl_write_fn)(char *data, size_t size, size_t count, void *context);
static inline CURLcode chronos_curl_easy_setopt_write_function(CURL *handle, chronos_curl_write_fn function) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, function);
}
/* The read callback (an upload's body, a mail's message) has the write callback's shape. */
static inline CURLcode chronos_curl_easy_setopt_read_function(CURL *handle, chronos_curl_write_fn function) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, function);
}
/* The header callback has the write callback's shape (one header line per call). */
static inline CURLcode chronos_curl_easy_setopt_header_function(CURL *handle, chronos_curl_write_fn function) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, function);
}
/* The progress callback: returning non-zero aborts the transfer (how a stream is closed from outside). */
typedef int (*chronos_curl_xferinfo_fn)(void *context, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
static inline CURLcode chronos_curl_easy_setopt_xferinfo_function(CURL *handle, chronos_curl_xferinfo_fn function) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, function);
}
/* CURLVERSION_NOW is a macro Swift cannot see. */
static inline curl_version_info_data *chronos_curl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}
#endif
