/*
 * A small tool for the macOS discover job: it keeps its state in
 * $HOMEWRITER_HOME, or ~/.homewriter without it, writing a token through a
 * temporary file and a rename (the destination fs_usage never prints) and
 * appending to a log. One process, so its name is the one fs_usage prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int put(const char *path, int flags, const char *text) {
    int fd = open(path, O_WRONLY | O_CREAT | flags, 0600);
    if (fd < 0) {
        perror(path);
        return -1;
    }
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

int main(void) {
    char dir[1024], tmp[1100], token[1100], log[1100];
    const char *own = getenv("HOMEWRITER_HOME");
    const char *home = getenv("HOME");
    if (own && *own) {
        snprintf(dir, sizeof dir, "%s", own);
    } else if (home && *home) {
        snprintf(dir, sizeof dir, "%s/.homewriter", home);
    } else {
        fputs("homewriter: neither HOMEWRITER_HOME nor HOME is set\n", stderr);
        return 2;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        perror(dir);
        return 1;
    }
    snprintf(tmp, sizeof tmp, "%s/.token.tmp", dir);
    snprintf(token, sizeof token, "%s/token", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    if (put(tmp, O_TRUNC, "token\n") != 0 || rename(tmp, token) != 0) {
        perror(token);
        return 1;
    }
    return put(log, O_APPEND, "ran\n") == 0 ? 0 : 1;
}
