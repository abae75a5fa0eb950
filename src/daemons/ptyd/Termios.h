// The terminal settings a `pty` "termios" handle reads and writes: the Linux
// x86_64 struct termios layout with its flag bits and c_cc indices.
#pragma once

#include <cstddef>
#include <cstdint>

namespace redox::ptyd {

struct Termios {
    uint32_t c_iflag;
    uint32_t c_oflag;
    uint32_t c_cflag;
    uint32_t c_lflag;
    uint8_t c_line;
    uint8_t c_cc[32];
    uint32_t c_ispeed;
    uint32_t c_ospeed;
};
static_assert(sizeof(Termios) == 60);
static_assert(offsetof(Termios, c_cc) == 17);
static_assert(offsetof(Termios, c_ispeed) == 52);

struct Winsize {
    uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};
static_assert(sizeof(Winsize) == 8);

enum : uint32_t { ICRNL = 0x100 };                       // c_iflag
enum : uint32_t { OPOST = 0x1, ONLCR = 0x4 };             // c_oflag
enum : uint32_t { CS8 = 0x30, CREAD = 0x80 };             // c_cflag
enum : uint32_t {                                        // c_lflag
    ISIG = 0x1, ICANON = 0x2, ECHO = 0x8, ECHOE = 0x10, ECHOK = 0x20, ECHONL = 0x40, ECHOCTL = 0x200, IEXTEN = 0x8000,
};
enum : size_t { VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6, VSUSP = 10 };

// What a new pty starts with: canonical mode, echo, signals, CR -> NL on
// input and NL -> CR NL on output.
inline Termios default_termios() {
    Termios t{};
    t.c_iflag = ICRNL;
    t.c_oflag = OPOST | ONLCR;
    t.c_cflag = CS8 | CREAD;
    t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | IEXTEN;
    t.c_cc[VINTR] = 0x03;   // ^C
    t.c_cc[VQUIT] = 0x1c;   // ^backslash
    t.c_cc[VERASE] = 0x7f;  // DEL
    t.c_cc[VKILL] = 0x15;   // ^U
    t.c_cc[VEOF] = 0x04;    // ^D
    t.c_cc[VMIN] = 1;
    t.c_cc[VSUSP] = 0x1a;   // ^Z
    t.c_ispeed = t.c_ospeed = 38400;
    return t;
}

} // namespace redox::ptyd
