/* Status codes shared by every itpsim module, and their messages.
 *
 * Every function that can fail returns an itp_status; 0 is success. The
 * command-line exit code follows from the status: 0 success, 2 bad input
 * (usage or scenario), 1 any other failure. */
#ifndef ITPSIM_ERROR_H
#define ITPSIM_ERROR_H

typedef enum itp_status {
    ITP_OK = 0,
    ITP_EINPUT,     /* bad scenario, setting or usage; message names it */
    ITP_ENOMEM,     /* an allocation failed */
    ITP_EIO,        /* reading or writing a file failed */
    ITP_ERANGE,     /* a size or count is beyond what can be run */
    ITP_ENUMERIC,   /* a numerical method failed to converge */
    ITP_EINTERRUPT, /* stopped by a signal */
    ITP_EINTERNAL   /* a broken invariant: a bug */
} itp_status;

/* A short English description of the code; never NULL. */
const char *itp_strerror(itp_status status);

/* The process exit code for the status: 0, 1, 2 or 130. */
int itp_exit_code(itp_status status);

#endif
