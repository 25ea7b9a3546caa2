/* Checks on zip entry names, so that nothing is written outside the extraction folder and no two entries
 * land on the same file. Every refusal is exit code 161 (ERROR_BAD_PATHNAME). */
#ifndef LAUNCHER_SAFEPATH_H
#define LAUNCHER_SAFEPATH_H

#include <stddef.h>
#include <wchar.h>

/* Checks the raw bytes of an entry name: not empty, no NUL, not starting with '/' or '\', no ':', no ".."
 * component (split on both '/' and '\'). NULL when acceptable, else the reason. */
const wchar_t *safepath_check_raw(const unsigned char *name, size_t len);

/* Turns a decoded name into a relative Windows path: '/' → '\', empty and "." components dropped.
 * *is_dir is set when the name ends with a separator. Returns NULL (and the reason in *why) when a
 * component cannot be a Windows file name: control characters, <>"|?*, a trailing dot or space (Win32
 * would silently strip it, aliasing another name) or a device name (CON, NUL.txt, COM1, ...).
 * The result may be empty (the name was only "./"). */
wchar_t *safepath_normalize(const wchar_t *name, int *is_dir, const wchar_t **why);

/* Finds two normalised names that clash: the same path ignoring case (CompareStringOrdinal), or a path
 * that is a file in one entry and a folder (explicit, or implied by a deeper entry) in another. Returns 1
 * and the indexes of the two entries when found, else 0. */
int safepath_find_clash(wchar_t *const *names, const unsigned char *is_dir, size_t count, size_t *first,
                        size_t *second);

#endif
