#ifndef MUSICFORGE_CPROCESSSPAWN_H
#define MUSICFORGE_CPROCESSSPAWN_H
#include <spawn.h>

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34 and later), which glibc's header declares only
/// under _GNU_SOURCE and Swift's Glibc module therefore does not show: close every descriptor from
/// `from` up in the child.
int musicforge_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int from);

#endif
