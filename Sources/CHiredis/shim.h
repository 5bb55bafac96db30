#ifndef MUSICFORGE_CHIREDIS_H
#define MUSICFORGE_CHIREDIS_H
#include <hiredis/hiredis.h>
#endif
