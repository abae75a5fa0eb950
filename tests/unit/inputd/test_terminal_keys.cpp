// The host terminal as the console's keyboard (daemons/inputd/terminal_keys.h): what
// a user types reaches the programs on the console's pty unchanged after the trip
// through inputd, and other consumers see honest keys.
#include "daemons/inputd/terminal_keys.h"

#include <catch2/catch.hpp>
#include <random>

using namespace redox::input;

namespace {

// The bytes as one chunk followed by the reader's timeout.
std::string round_trip(std::string_view bytes) {
    TerminalDecoder d;
    TerminalEncoder e;
    auto events = d.decode(bytes);
    auto rest = d.flush();
    events.insert(events.end(), rest.begin(), rest.end());
    return e.encode(events);
}

std::vector<Event> operator+(std::vector<Event> a, const std::vector<Event>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

bool is_modifier(const Event& e) {
    auto sc = uint8_t(e.b & 0xFF);
    return sc == 0x1D || sc == 0x2A || sc == 0x38 || sc == kKeySuper;
}

// Every key sequence the decoder knows: CSI and SS3 keys with each modifier
// parameter, ESC + a key (Alt), ESC + a sequence (Alt), UTF-8 characters.
std::vector<std::string> known_sequences() {
    std::vector<std::string> plain;
    for (char f : std::string_view("ABCDHFPQRS")) {
        plain.push_back(std::string("\x1b[") + f);
        plain.push_back(std::string("\x1bO") + f);
        for (int m = 1; m <= 16; ++m) plain.push_back("\x1b[1;" + std::to_string(m) + f);
    }
    for (int n : {1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 23, 24}) {
        plain.push_back("\x1b[" + std::to_string(n) + "~");
        for (int m = 1; m <= 16; ++m) plain.push_back("\x1b[" + std::to_string(n) + ";" + std::to_string(m) + "~");
    }
    plain.push_back("\x1b[Z");
    for (const char* u : {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xdf\xbf", "\xf4\x8f\xbf\xbf"})
        plain.push_back(u);
    std::vector<std::string> all = plain;
    for (const std::string& s : plain) all.push_back("\x1b" + s);
    for (int c = 0; c < 0x80; ++c)
        if (c != 0x1B && c != '[' && c != 'O') all.push_back(std::string("\x1b") + char(c));
    return all;
}

std::string hex(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        char b[4];
        snprintf(b, sizeof b, "%02x ", c);
        out += b;
    }
    return out;
}

} // namespace

TEST_CASE("printable keys carry their scancode and character, shifted ones inside Shift") {
    TerminalDecoder d;
    CHECK(d.decode("a") == std::vector<Event>{key(0x1E, true, U'a'), key(0x1E, false, U'a')});
    CHECK(d.decode("A") == std::vector<Event>{key(0x2A, true), key(0x1E, true, U'A'), key(0x1E, false, U'A'),
                                              key(0x2A, false)});
    CHECK(d.decode("\r") == std::vector<Event>{key(0x1C, true, U'\n'), key(0x1C, false, U'\n')});
    CHECK(d.decode("\x7f") == std::vector<Event>{key(0x0E, true), key(0x0E, false)});
    CHECK(d.decode("\x03") == std::vector<Event>{key(0x1D, true), key(0x2E, true, U'c'), key(0x2E, false, U'c'),
                                                 key(0x1D, false)});
    CHECK(d.decode("\xc3\xa9") == std::vector<Event>{key(0, true, U'\u00e9'), key(0, false, U'\u00e9')});
}

TEST_CASE("escape sequences become arrows, editing and function keys with their modifiers") {
    TerminalDecoder d;
    CHECK(d.decode("\x1b[A") == std::vector<Event>{key(0x48, true), key(0x48, false)});
    CHECK(d.decode("\x1bOD") == std::vector<Event>{key(0x4B, true), key(0x4B, false)});
    CHECK(d.decode("\x1b[3~") == std::vector<Event>{key(0x53, true), key(0x53, false)});
    CHECK(d.decode("\x1b[1;5C") == std::vector<Event>{key(0x1D, true), key(0x4D, true), key(0x4D, false),
                                                      key(0x1D, false)});
    CHECK(d.decode("\x1bOQ") == std::vector<Event>{key(0x3C, true), key(0x3C, false)});
    CHECK(d.decode("\x1b[24~") == std::vector<Event>{key(0x58, true), key(0x58, false)});
    CHECK(d.decode("\x1b" "b") == std::vector<Event>{key(0x38, true), key(0x30, true, U'b'), key(0x30, false, U'b'),
                                                      key(0x38, false)});
    CHECK(d.decode("\x1b").empty());
    CHECK(d.flush() == std::vector<Event>{key(0x01, true, 0x1B), key(0x01, false, 0x1B)});
}

TEST_CASE("Alt+Fn in every terminal form is Super+Fn, inputd's VT switch chord") {
    std::vector<Event> f2 = {key(kKeySuper, true), key(0x3C, true), key(0x3C, false), key(kKeySuper, false)};
    std::vector<Event> f3 = {key(kKeySuper, true), key(0x3D, true), key(0x3D, false), key(kKeySuper, false)};
    std::vector<Event> f11 = {key(kKeySuper, true), key(0x57, true), key(0x57, false), key(kKeySuper, false)};
    TerminalDecoder d;
    CHECK(d.decode("\x1b[1;3Q") == f2);      // xterm, tmux
    CHECK(d.decode("\x1b\x1bOQ") == f2);     // ESC as Meta
    CHECK(d.decode("\x1b[13;3~") == f3);     // rxvt-style F3
    CHECK(d.decode("\x1b[1;7R") == f3);      // Ctrl+Alt+F3
    CHECK(d.decode("\x1b[23;3~") == f11);
}

TEST_CASE("a UTF-8 character split between reads is joined") {
    TerminalDecoder d;
    CHECK(d.decode("x\xe2\x82").size() == 2);
    CHECK(d.pending());
    CHECK(d.decode("\xac") == std::vector<Event>{key(0, true, U'\u20ac'), key(0, false, U'\u20ac')});
    CHECK(!d.pending());
    for (std::string_view u : {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"}) {
        INFO(hex(u));
        auto whole = TerminalDecoder().decode(u);
        REQUIRE(whole.size() == 2);
        for (size_t k = 1; k < u.size(); ++k) {
            TerminalDecoder s;
            CHECK(s.decode(u.substr(0, k)).empty());
            CHECK(s.pending());
            CHECK(s.decode(u.substr(k)) == whole);
            CHECK(!s.pending());
        }
    }
    // A character that never completes: its bytes, each as U+DC80 + byte, once
    // the wait for the rest ends; then the decoder starts afresh.
    CHECK(d.decode("\xf0\x9f").empty());
    CHECK(d.flush() == std::vector<Event>{key(0, true, 0xDCF0), key(0, false, 0xDCF0), key(0, true, 0xDC9F),
                                          key(0, false, 0xDC9F)});
    CHECK(!d.pending());
    CHECK(d.decode("a") == std::vector<Event>{key(0x1E, true, U'a'), key(0x1E, false, U'a')});
}

TEST_CASE("every known sequence split at every byte decodes as in one piece") {
    size_t checked = 0;
    for (const std::string& seq : known_sequences()) {
        INFO(hex(seq));
        TerminalDecoder one;
        auto whole = one.decode(seq);
        REQUIRE(!one.pending());
        // One key: a single press that is not a modifier.
        size_t keys = 0;
        for (const Event& e : whole) keys += (e.b & 0x100) && !is_modifier(e);
        REQUIRE(keys == 1);
        for (size_t k = 1; k < seq.size(); ++k) {
            INFO("split at " << k);
            TerminalDecoder d;
            auto first = d.decode(std::string_view(seq).substr(0, k));
            CHECK(first.empty());
            CHECK(d.pending());
            CHECK(first + d.decode(std::string_view(seq).substr(k)) == whole);
            CHECK(!d.pending());
            // Between other keys, split at the same place.
            std::string around = "a" + seq + "b";
            TerminalDecoder w;
            auto expect = w.decode(around);
            TerminalDecoder x;
            auto head = x.decode(std::string_view(around).substr(0, k + 1));
            CHECK(head + x.decode(std::string_view(around).substr(k + 1)) == expect);
            ++checked;
        }
        // One byte a read.
        TerminalDecoder b;
        std::vector<Event> bytewise;
        for (char c : seq) bytewise = bytewise + b.decode(std::string_view(&c, 1));
        CHECK(bytewise == whole);
    }
    CHECK(checked > 1000);
}

TEST_CASE("a lone ESC is Esc once no more input came in time") {
    std::vector<Event> esc = {key(0x01, true, 0x1B), key(0x01, false, 0x1B)};
    TerminalDecoder d;
    CHECK(d.decode("ab\x1b") == std::vector<Event>{key(0x1E, true, U'a'), key(0x1E, false, U'a'),
                                                   key(0x30, true, U'b'), key(0x30, false, U'b')});
    CHECK(d.pending());
    CHECK(d.flush() == esc);
    CHECK(!d.pending());
    CHECK(d.flush().empty());
    // After the timeout the next key is a key of its own, not Alt+key.
    CHECK(d.decode("b") == std::vector<Event>{key(0x30, true, U'b'), key(0x30, false, U'b')});
    // What ESC began counts alone as it would in one read: ESC ESC is Esc twice,
    // a cut sequence is Esc and its bytes as keys.
    CHECK(d.decode("\x1b\x1b").empty());
    CHECK(d.flush() == esc + esc);
    CHECK(d.decode("\x1b[1;").empty());
    CHECK(d.flush() == esc + TerminalDecoder().decode("[1;"));
    CHECK(d.decode("\x1bO").empty());
    CHECK(d.flush() == esc + TerminalDecoder().decode("O"));
}

TEST_CASE("ESC and a key in the next read within the time is Alt+key, as in one read") {
    std::vector<Event> alt_b = {key(0x38, true), key(0x30, true, U'b'), key(0x30, false, U'b'), key(0x38, false)};
    TerminalDecoder d;
    CHECK(d.decode("\x1b").empty());
    CHECK(d.decode("b") == alt_b);
    CHECK(TerminalDecoder().decode("\x1b" "b") == alt_b);
    // ESC, then an arrow's sequence: Alt+Up (ESC as Meta).
    CHECK(d.decode("\x1b").empty());
    CHECK(d.decode("\x1b[A") == std::vector<Event>{key(0x38, true), key(0x48, true), key(0x48, false), key(0x38, false)});
    // ESC, then ESC alone: the first is Esc at once, the second waits.
    CHECK(d.decode("\x1b").empty());
    CHECK(d.decode("\x1b") .empty());
    CHECK(d.decode("x") == std::vector<Event>{key(0x01, true, 0x1B), key(0x01, false, 0x1B), key(0x38, true),
                                              key(0x2D, true, U'x'), key(0x2D, false, U'x'), key(0x38, false)});
    CHECK(!d.pending());
}

TEST_CASE("ESCDELAY sets the wait for the rest of a key in milliseconds, 0 to 10000") {
    using std::chrono::milliseconds;
    CHECK(kPendingTimeout == milliseconds(50));
    CHECK(parse_escdelay("0") == milliseconds(0));
    CHECK(parse_escdelay("25") == milliseconds(25));
    CHECK(parse_escdelay("10000") == milliseconds(10000));
    for (std::string_view bad : {"", "10001", "-1", "5ms", " 5", "abc", "99999999999999999999"}) {
        INFO(bad);
        CHECK(!parse_escdelay(bad));
    }
}

TEST_CASE("what the line editor and the line discipline need comes back byte for byte") {
    using namespace std::string_literals;
    for (const std::string& in : {"ls -l /\r"s, "\x03"s, "\x1a"s, "\x04"s, "\x7f\x7f"s, "\t"s,
                                  "\x01\x05\x0b\x15\x17\x0c"s, "\x1b[A"s, "\x1b[B"s, "\x1b[C"s, "\x1b[D"s,
                                  "\x1b[H"s, "\x1b[F"s, "\x1b[3~"s, "\x1b[1;5D"s, "\x1b[1;3C"s, "\x1b[Z"s,
                                  "\x1b" "b"s, "\x1b" "f"s, "\x1b\x7f"s, "\x1b"s, "\x1b\x1b"s, "\x1b["s,
                                  "\x1b[200~paste\x1b[201~"s, "\x1bOP"s, "\x1b[15~"s, "\x1b[24~"s,
                                  "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"s, "\x80\xff"s,
                                  "\x00\x1c\x1d\x1e\x1f"s}) {
        INFO(hex(in));
        CHECK(hex(round_trip(in)) == hex(in));
    }
}

TEST_CASE("other escape forms come back in their canonical form") {
    CHECK(round_trip("\x1bOA") == "\x1b[A");
    CHECK(round_trip("\x1b[1~") == "\x1b[H");
    CHECK(round_trip("\x1b[4~") == "\x1b[F");
    CHECK(round_trip("\x1b\x1b[A") == "\x1b[1;3A");
}

TEST_CASE("random bytes without ESC survive the round trip") {
    std::mt19937 rng(7);
    for (int t = 0; t < 2000; ++t) {
        std::string s;
        int len = int(rng() % 24) + 1;
        for (int i = 0; i < len; ++i) {
            auto c = char(rng() % 256);
            if (c == 0x1B) continue;
            s += c;
        }
        s += 'x';  // a cut-off UTF-8 lead byte waits for more input
        INFO(hex(s));
        REQUIRE(hex(round_trip(s)) == hex(s));
    }
}

TEST_CASE("the console ignores inputd's chords and the rest of a VT switch") {
    TerminalEncoder e;
    // Super+F2 switched to this VT: its press went to the VT before.
    std::vector<Event> tail = {key(0x3C, true), key(0x3C, false), key(kKeySuper, false), key(0x1E, true, U'a'),
                               key(0x1E, false, U'a')};
    CHECK(e.encode(tail) == "a");
    std::vector<Event> chord = {key(kKeySuper, true), key(0x3D, true), key(0x3D, false), key(kKeySuper, false),
                                key(0x30, true, U'b')};
    CHECK(e.encode(chord) == "b");
    // Super+F4 switched away: its releases go to VT 4, and nothing stays held here.
    CHECK(e.encode(std::vector<Event>{key(kKeySuper, true), key(0x3E, true)}) == "");
    CHECK(e.encode(std::vector<Event>{key(0x1E, true, U'a')}) == "a");
    // Keys from a keyboard (SDL) with Ctrl and Alt held as separate events.
    CHECK(e.encode(std::vector<Event>{key(0x1D, true)}) == "");
    CHECK(e.encode(std::vector<Event>{key(0x2E, true, U'c'), key(0x2E, false, U'c')}) == "\x03");
    CHECK(e.encode(std::vector<Event>{key(0x1D, false), key(0x48, true)}) == "\x1b[A");
}
