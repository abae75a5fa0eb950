// Keys between a text terminal and inputd: the host terminal is the console's
// keyboard. TerminalDecoder is its driver (the bytes a terminal sends become
// orbclient key events for /scheme/input/producer); TerminalEncoder is the text
// console's side (fbcond's role: the key events of its VT become the bytes a
// program on the pty reads).
//
// Decoding (US layout, XT set-1 scancodes as in producer.h):
//   printable ASCII        the key with its character, inside Shift press/release for
//                          upper case and shifted symbols
//   other UTF-8            scancode 0 with the character
//   0x7F, \r, \t, ESC      Backspace, Enter ('\n'), Tab ('\t'), Escape
//   0x00, 0x01..0x1F       Ctrl + Space / the letter / \ ] ^ _ (character lower case)
//   ESC [ ... / ESC O ...  arrows, Home, End, Insert, Delete, PgUp, PgDn, F1..F12,
//                          Shift+Tab, with xterm's modifier parameter (;2 Shift,
//                          ;3 Alt, ;5 Ctrl, ...)
//   ESC KEY                Alt + KEY (KEY any of the above)
//   Alt+Fn (any Fn form)   Super + Fn: a terminal has no Super key, and Alt+Fn is the
//                          VT switch chord of text consoles, Super+Fn inputd's
//   anything else          each byte as its own key, so nothing typed is lost; a byte
//                          that is not UTF-8 travels as U+DC80 + byte
// Input comes in chunks as the terminal's bytes were read, and a chunk may end
// inside a key: a terminal writes each key's sequence at once, but a slow line or
// ssh can still deliver "ESC [" in one read and "A" in the next. The decoder keeps
// such an incomplete start (ESC, ESC [ 1 ;, ESC ESC, a UTF-8 lead byte, ...) and
// completes it with the next chunk, so a key's events do not depend on where its
// bytes were cut. ESC is also a key of its own, and only time tells the two apart:
// while pending() the reader waits at most kPendingTimeout for more input and on
// the timeout calls flush(), which decodes what is held as it stands (a lone ESC
// is the Esc key, a cut UTF-8 character its bytes as U+DC80 + byte).
//
// Encoding: xterm's bytes for the key presses, modifiers tracked from the key events;
// Ctrl+KEY gives the control character, Alt+KEY an ESC prefix, Super+KEY nothing
// (inputd's chords). Super+Fn ends the modifiers held here (the rest of the chord
// goes to the VT it activates); a Super release whose press went to another VT
// (the switch to this one) means Super was held since the start of that batch.
// Round trip: encode(decode(b)) == b for every byte string without ESC, and for ESC
// sequences up to their canonical form (ESC O A -> ESC [ A, ESC [ 1 ~ -> ESC [ H).
#pragma once

#include <charconv>
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemons/inputd/producer.h"

namespace redox::input {

// 50 ms: the rest of a split sequence was written together with its start, so it
// follows within the transport's delay between two reads (a few ms on ssh, even
// through a loaded simulator), while a person pressing Esc and then another key
// takes over 100 ms; and 50 ms is short enough that Esc alone still answers at
// once for the eye.
inline constexpr std::chrono::milliseconds kPendingTimeout{50};

// The wait as ESCDELAY gives it (milliseconds, as ncurses reads that variable; for
// a line slower than the default allows): 0 to 10000, else nothing.
inline std::optional<std::chrono::milliseconds> parse_escdelay(std::string_view text) {
    unsigned ms = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (text.empty() || ec != std::errc() || p != text.data() + text.size() || ms > 10000) return std::nullopt;
    return std::chrono::milliseconds(ms);
}

class TerminalDecoder {
public:
    // The events of the keys completed by `bytes` (after what was held).
    std::vector<Event> decode(std::string_view bytes);
    // Whether the input so far ends inside a key that more input may complete.
    bool pending() const { return !m_partial.empty(); }
    // No more input came in time: the held bytes as the keys they are alone.
    std::vector<Event> flush();

private:
    std::vector<Event> run(std::string in, bool final);

    std::string m_partial;  // the start of a key that more input may complete
};

class TerminalEncoder {
public:
    std::string encode(std::span<const Event> events);

private:
    bool m_shift = false, m_ctrl = false, m_alt = false, m_super = false;
};

} // namespace redox::input
