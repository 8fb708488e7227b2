#ifndef CHRONOS_CGIT2_SHIM_H
#define CHRONOS_CGIT2_SHIM_H
#include <git2.h>

/* Answers an https credential request with the token passed as payload (never logged). */
static int chronos_git_token_credentials(git_credential **out, const char *url, const char *username_from_url,
                                         unsigned int allowed_types, void *payload) {
    (void)url;
    const char *token = (const char *)payload;
    if (token != NULL && token[0] != '\0' && (allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
        return git_credential_userpass_plaintext_new(out, username_from_url ? username_from_url : "x-access-token", token);
    }
    return GIT_PASSTHROUGH;
}

/* Fetch options with the token callback; the token must outlive the fetch. */
static inline void chronos_git_fetch_options(git_fetch_options *options, const char *token) {
    git_fetch_options_init(options, GIT_FETCH_OPTIONS_VERSION);
    options->callbacks.credentials = chronos_git_token_credentials;
    options->callbacks.payload = (void *)token;
}

static inline void chronos_git_clone_options(git_clone_options *options, const char *token) {
    git_clone_options_init(options, GIT_CLONE_OPTIONS_VERSION);
    options->bare = 1;
    chronos_git_fetch_options(&options->fetch_opts, token);
}
/* git_libgit2_opts is variadic: a typed wrapper for the CA certificates used to check https servers. */
static inline int chronos_git_set_ssl_cert_locations(const char *file, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, path);
}
#endif
