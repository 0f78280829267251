/*
 * outfile.h: a new output file that appears whole or not at all, for what
 * ferncon writes beside other people's files (`connections export`).
 *
 * The text goes to a temporary file in the target's directory, created
 * O_CREAT|O_EXCL|O_NOFOLLOW with mode 0600 (".ferncon-out-XXXXXX"). On
 * success it is fsynced and published under the target's name without
 * ever replacing what is there (renameat2(RENAME_NOREPLACE), or link()
 * then unlink() where the file system has no such rename); on failure it
 * is removed. So an existing path is never written into, a file ferncon
 * did not create is never chmod'ed, a symbolic link is never followed,
 * and a failed export leaves nothing behind. With overwrite, an existing
 * regular file owned by the caller's uid is replaced by rename(); any
 * other kind of file (a link, a device, a directory, another user's file)
 * is still refused. A temporary file that a SIGKILL left (plaintext, mode
 * 0600) is removed by the next outfile_open() in the same directory.
 *
 * A process that dies by a signal it can catch removes the temporary file
 * if its front end calls outfile_signal_cleanup() from the handler (the
 * export's SIGINT/SIGTERM/SIGHUP handler, the console's fatal-signal one).
 */
#ifndef FERNCON_OUTFILE_H
#define FERNCON_OUTFILE_H

#include <stdio.h>
#include <sys/types.h>

#include "compiler.h"
#include "err.h"

struct outfile;

/*
 * Check that path may be written (it does not exist, or with overwrite it
 * is a regular file of ours) and create the temporary file beside it.
 * Refusals are one line: ERR_IO "cannot write 'PATH': it exists (give
 * --overwrite to replace it)", "...: it is a symbolic link", "...: it is
 * not a regular file", "...: it belongs to another user". 0, or -1 with
 * e set and nothing created.
 */
int outfile_open(struct outfile **out, const char *path, int overwrite,
    struct err *e) ATTR_WUR;

/* The stream to write the text to (owned by the outfile). */
FILE *outfile_stream(struct outfile *o);

/*
 * How many temporary files of a killed writer outfile_open() removed from
 * the target's directory (outfile_remove_stale() with its own name
 * pattern and the caller's uid), for the front end to say so.
 */
size_t outfile_stale_removed(const struct outfile *o);

/*
 * Flush and fsync the text, publish it under the target's name (the
 * checks of outfile_open() made again) and fsync the directory. 0, or -1
 * with e set and the temporary file removed. Either way o is freed.
 */
int outfile_commit(struct outfile *o, struct err *e) ATTR_WUR;

/* Remove the temporary file and free o. NULL does nothing. */
void outfile_abort(struct outfile *o);

/*
 * Remove the temporary file of the outfile that is open, or the one
 * outfile_track() names, if any: only async-signal-safe calls, for a
 * signal handler that then lets the signal end the process.
 */
void outfile_signal_cleanup(void);

/*
 * Name a temporary file of another writer (cfgwrite.c) for
 * outfile_signal_cleanup(): name relative to dirfd (AT_FDCWD: the current
 * directory, or an absolute path). One at a time; outfile_untrack() once
 * it is renamed or removed.
 */
void outfile_track(int dirfd, const char *name);
void outfile_untrack(void);

/*
 * Remove what killed writers left in the directory dirfd: the entries
 * named prefix and then exactly nrand letters or digits that are regular
 * files (a link, a directory, a device are left), owned by uid or uid2,
 * and not locked (flock) by a writer under way, which holds its temporary
 * file locked until it is renamed or removed. The count goes to *removed.
 * 0, or -1 with e set when the directory cannot be read.
 */
int outfile_remove_stale(int dirfd, const char *prefix, size_t nrand,
    uid_t uid, uid_t uid2, size_t *removed, struct err *e) ATTR_WUR;

#endif
