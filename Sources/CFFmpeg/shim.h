#ifndef MUSICFORGE_CFFMPEG_H
#define MUSICFORGE_CFFMPEG_H
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswresample/swresample.h>
#include <libavutil/opt.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>

// Function-like macros Swift cannot import, as constants.
static inline int mf_averror_eof(void) { return AVERROR_EOF; }
static inline int mf_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int mf_averror_exit(void) { return AVERROR_EXIT; }
static inline int64_t mf_av_nopts_value(void) { return AV_NOPTS_VALUE; }
#endif
