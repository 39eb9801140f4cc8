#pragma once
/*
 * libcurl's own header, from libcurl4-gnutls-dev: the build of libcurl that
 * libvirt0 already links (libcurl-gnutls.so.4), so vmctl maps no second one.
 *
 * curl_easy_setopt() and curl_easy_getinfo() are variadic, which Swift cannot
 * call: each has one typed wrapper here per argument type vmctl passes.
 * Everything else in curl.h is called from Swift directly.
 */
#include <curl/curl.h>

static inline CURLcode vmctl_curl_easy_setopt_long(CURL *easy, CURLoption option, long value) {
    return curl_easy_setopt(easy, option, value);
}

/* libcurl copies strings (CURLOPTTYPE_STRINGPOINT). */
static inline CURLcode vmctl_curl_easy_setopt_string(CURL *easy, CURLoption option, const char *value) {
    return curl_easy_setopt(easy, option, value);
}

static inline CURLcode vmctl_curl_easy_setopt_off_t(CURL *easy, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(easy, option, value);
}

/* A pointer libcurl keeps and uses until the handle is cleaned up: an error
 * buffer, a header list, a callback's context. */
static inline CURLcode vmctl_curl_easy_setopt_pointer(CURL *easy, CURLoption option, void *value) {
    return curl_easy_setopt(easy, option, value);
}

/* CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION. */
static inline CURLcode vmctl_curl_easy_setopt_callback(CURL *easy, CURLoption option, curl_write_callback value) {
    return curl_easy_setopt(easy, option, value);
}

static inline CURLcode vmctl_curl_easy_getinfo_long(CURL *easy, CURLINFO info, long *value) {
    return curl_easy_getinfo(easy, info, value);
}

static inline CURLcode vmctl_curl_easy_getinfo_off_t(CURL *easy, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(easy, info, value);
}

/* The string belongs to the handle. */
static inline CURLcode vmctl_curl_easy_getinfo_string(CURL *easy, CURLINFO info, char **value) {
    return curl_easy_getinfo(easy, info, value);
}
