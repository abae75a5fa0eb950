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
// An escape sequence must arrive in one chunk (terminals write each key's sequence
// at once); a UTF-8 character split between chunks is joined.
//
// Encoding: xterm's bytes for the key presses, modifiers tracked from the key events;
// Ctrl+KEY gives the control character, Alt+KEY an ESC prefix, Super+KEY nothing
// (inputd's chords). Super+Fn ends the modifiers held here (the rest of the chord
// goes to the VT it activates); a Super release whose press went to another VT
// (the switch to this one) means Super was held since the start of that batch.
// Round trip: encode(decode(b)) == b for every byte string without ESC, and for ESC
// sequences up to their canonical form (ESC O A -> ESC [ A, ESC [ 1 ~ -> ESC [ H).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemons/inputd/producer.h"

namespace redox::input {

class TerminalDecoder {
public:
    std::vector<Event> decode(std::string_view bytes);

private:
    std::string m_partial;  // the start of a UTF-8 character
};

class TerminalEncoder {
public:
    std::string encode(std::span<const Event> events);

private:
    bool m_shift = false, m_ctrl = false, m_alt = false, m_super = false;
};

} // namespace redox::input
