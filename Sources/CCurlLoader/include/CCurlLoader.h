#pragma once
/*
 * libcurl, loaded at run time.
 *
 * vmctl links no libcurl: a process that never downloads pays nothing for it.
 * vmctl_curl_open() dlopen()s libcurl when the first download starts and
 * resolves the few functions below with dlsym(). curl_easy_setopt() and
 * curl_easy_getinfo() are variadic, so Swift cannot call them; each has a
 * typed wrapper here, one per argument type.
 *
 * The constants are libcurl's own numbers (curl/curl.h), which its ABI keeps
 * stable, declared here so that the build needs no curl development package.
 * Every symbol is prefixed vmctl_.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A loaded libcurl: its dlopen() handle and resolved functions. Never closed:
 * libcurl cannot be unloaded safely once initialised. */
typedef struct vmctl_curl vmctl_curl;

/* One transfer: a CURL easy handle with its error buffer and header list. */
typedef struct vmctl_curl_easy vmctl_curl_easy;

/* Loads the first of `names` (dlopen, RTLD_NOW | RTLD_LOCAL) that has every
 * function vmctl calls, and runs curl_global_init(CURL_GLOBAL_DEFAULT).
 * Returns NULL when none does, with the reasons (dlerror(), or the missing
 * symbol) in `why`. Serialised: curl_global_init is not thread-safe before
 * libcurl 7.84. */
vmctl_curl *vmctl_curl_open(const char *const *names, size_t count, char *why, size_t why_size);

/* The file name that was loaded (one of `names`). */
const char *vmctl_curl_library_name(const vmctl_curl *curl);

/* curl_version(): "libcurl/7.88.1 OpenSSL/3.0.15 ...". */
const char *vmctl_curl_version(const vmctl_curl *curl);

/* curl_easy_strerror(): libcurl's sentence for a CURLcode. */
const char *vmctl_curl_strerror(const vmctl_curl *curl, int code);

/* curl_easy_init(), with CURLOPT_ERRORBUFFER pointing at the handle's own
 * buffer. NULL when libcurl cannot make a handle. */
vmctl_curl_easy *vmctl_curl_easy_init(const vmctl_curl *curl);

/* curl_easy_cleanup() (SIGPIPE blocked), then frees the header list. */
void vmctl_curl_easy_cleanup(vmctl_curl_easy *easy);

/* curl_easy_setopt() with a long, a string (libcurl copies it), a curl_off_t. Return a CURLcode. */
int vmctl_curl_easy_setopt_long(vmctl_curl_easy *easy, int option, long value);
int vmctl_curl_easy_setopt_string(vmctl_curl_easy *easy, int option, const char *value);
int vmctl_curl_easy_setopt_off_t(vmctl_curl_easy *easy, int option, int64_t value);

/* Body and header callbacks (curl_write_callback): return `size * count` to
 * go on; anything else aborts the transfer with CURLE_WRITE_ERROR. A header
 * callback gets one whole header line at a time, CRLF included. */
typedef size_t (*vmctl_curl_data_callback)(char *data, size_t size, size_t count, void *context);

/* CURLOPT_WRITEFUNCTION and CURLOPT_WRITEDATA. */
int vmctl_curl_easy_set_body_callback(vmctl_curl_easy *easy, vmctl_curl_data_callback callback, void *context);
/* CURLOPT_HEADERFUNCTION and CURLOPT_HEADERDATA. */
int vmctl_curl_easy_set_header_callback(vmctl_curl_easy *easy, vmctl_curl_data_callback callback, void *context);

/* Adds one request header ("Name: value") with curl_slist_append() and sets
 * CURLOPT_HTTPHEADER to the list. The list lives as long as the handle. */
int vmctl_curl_easy_add_header(vmctl_curl_easy *easy, const char *header);

/* curl_easy_perform(), after clearing the error buffer, with SIGPIPE blocked
 * on the calling thread (CURLOPT_NOSIGNAL leaves SIGPIPE to the caller). The
 * callbacks run on this thread. Returns a CURLcode. */
int vmctl_curl_easy_perform(vmctl_curl_easy *easy);

/* What libcurl wrote into CURLOPT_ERRORBUFFER during the last perform ("" if nothing). */
const char *vmctl_curl_easy_error(const vmctl_curl_easy *easy);

/* curl_easy_getinfo() into a long, a curl_off_t, a string (owned by the handle). Return a CURLcode. */
int vmctl_curl_easy_getinfo_long(vmctl_curl_easy *easy, int info, long *value);
int vmctl_curl_easy_getinfo_off_t(vmctl_curl_easy *easy, int info, int64_t *value);
int vmctl_curl_easy_getinfo_string(vmctl_curl_easy *easy, int info, const char **value);

/* CURLcode values vmctl tells apart. */
#define VMCTL_CURLE_OK 0
#define VMCTL_CURLE_UNSUPPORTED_PROTOCOL 1
#define VMCTL_CURLE_COULDNT_RESOLVE_HOST 6
#define VMCTL_CURLE_COULDNT_CONNECT 7
#define VMCTL_CURLE_PARTIAL_FILE 18
#define VMCTL_CURLE_WRITE_ERROR 23
#define VMCTL_CURLE_OPERATION_TIMEDOUT 28
#define VMCTL_CURLE_SSL_CONNECT_ERROR 35
#define VMCTL_CURLE_TOO_MANY_REDIRECTS 47
#define VMCTL_CURLE_UNKNOWN_OPTION 48
#define VMCTL_CURLE_GOT_NOTHING 52
#define VMCTL_CURLE_SEND_ERROR 55
#define VMCTL_CURLE_RECV_ERROR 56
#define VMCTL_CURLE_PEER_FAILED_VERIFICATION 60
#define VMCTL_CURLE_FILESIZE_EXCEEDED 63
#define VMCTL_CURLE_SSL_CACERT_BADFILE 77

/* CURLoption values: CURLOPTTYPE_LONG (0), _OBJECTPOINT/_STRINGPOINT (10000), _OFF_T (30000) plus a number. */
#define VMCTL_CURLOPT_URL 10002
#define VMCTL_CURLOPT_RANGE 10007
#define VMCTL_CURLOPT_USERAGENT 10018
#define VMCTL_CURLOPT_LOW_SPEED_LIMIT 19
#define VMCTL_CURLOPT_LOW_SPEED_TIME 20
#define VMCTL_CURLOPT_NOPROGRESS 43
#define VMCTL_CURLOPT_FAILONERROR 45
#define VMCTL_CURLOPT_FOLLOWLOCATION 52
#define VMCTL_CURLOPT_SSL_VERIFYPEER 64
#define VMCTL_CURLOPT_MAXREDIRS 68
#define VMCTL_CURLOPT_SSL_VERIFYHOST 81
#define VMCTL_CURLOPT_NOSIGNAL 99
#define VMCTL_CURLOPT_MAXFILESIZE_LARGE 30117
#define VMCTL_CURLOPT_TIMEOUT_MS 155
#define VMCTL_CURLOPT_CONNECTTIMEOUT_MS 156
#define VMCTL_CURLOPT_HTTP_CONTENT_DECODING 158
#define VMCTL_CURLOPT_PROTOCOLS 181  /* bit mask; deprecated in 7.85 for _STR */
#define VMCTL_CURLOPT_REDIR_PROTOCOLS 182  /* bit mask; deprecated in 7.85 for _STR */
#define VMCTL_CURLOPT_TCP_KEEPALIVE 213
#define VMCTL_CURLOPT_PROTOCOLS_STR 10318  /* 7.85 and later */
#define VMCTL_CURLOPT_REDIR_PROTOCOLS_STR 10319  /* 7.85 and later */

/* CURLPROTO_* bits, for VMCTL_CURLOPT_PROTOCOLS on libcurl before 7.85. */
#define VMCTL_CURLPROTO_HTTP 1  /* 1 << 0 */
#define VMCTL_CURLPROTO_HTTPS 2  /* 1 << 1 */

/* CURLINFO values: CURLINFO_STRING (0x100000), _LONG (0x200000) or _OFF_T (0x600000) plus a number. */
#define VMCTL_CURLINFO_EFFECTIVE_URL 0x100001  /* CURLINFO_STRING + 1 */
#define VMCTL_CURLINFO_RESPONSE_CODE 0x200002  /* CURLINFO_LONG + 2 */
#define VMCTL_CURLINFO_REDIRECT_COUNT 0x200014  /* CURLINFO_LONG + 20 */
#define VMCTL_CURLINFO_OS_ERRNO 0x200019  /* CURLINFO_LONG + 25 */
#define VMCTL_CURLINFO_CONTENT_LENGTH_DOWNLOAD_T 0x60000f  /* CURLINFO_OFF_T + 15 */

#ifdef __cplusplus
}
#endif
