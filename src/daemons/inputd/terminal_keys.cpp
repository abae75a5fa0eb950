#include "daemons/inputd/terminal_keys.h"

#include <array>
#include <charconv>

namespace redox::input {
namespace {

// XT set-1 codes (orbclient's, orbital/core/event.h).
namespace k = orbital::key;
constexpr uint8_t kEsc = k::ESC, kBksp = k::BKSP, kTab = k::TAB, kEnter = k::ENTER, kCtrl = k::CTRL,
                  kLeftShift = k::LEFT_SHIFT, kRightShift = k::RIGHT_SHIFT, kAlt = k::ALT, kSpace = k::SPACE,
                  kF5 = k::F5, kHome = k::HOME, kUp = k::UP, kPgUp = k::PGUP, kLeft = k::LEFT, kRight = k::RIGHT,
                  kEnd = k::END, kDown = k::DOWN, kPgDn = k::PGDN, kInsert = k::INSERT, kDel = k::DEL,
                  kRightSuper = k::RIGHT_SUPER, kRightCtrl = k::RIGHT_CTRL;
constexpr uint8_t kF1 = kKeyF1, kF10 = kKeyF10, kF11 = kKeyF11, kF12 = kKeyF12;

struct Mods {
    bool shift = false, alt = false, ctrl = false, super = false;
};

// The US layout: each row's characters, unshifted and shifted, from its first scancode.
struct Row {
    uint8_t first;
    std::string_view plain, shifted;
};
constexpr std::array kRows{
    Row{0x02, "1234567890-=", "!@#$%^&*()_+"}, Row{0x10, "qwertyuiop[]", "QWERTYUIOP{}"},
    Row{0x1E, "asdfghjkl;'`", "ASDFGHJKL:\"~"}, Row{0x2B, "\\zxcvbnm,./", "|ZXCVBNM<>?"},
    Row{0x39, " ", " "},
};

bool ascii_key(char c, uint8_t& scancode, bool& shifted) {
    for (const Row& r : kRows) {
        if (auto at = r.plain.find(c); at != std::string_view::npos) {
            scancode = uint8_t(r.first + at);
            shifted = false;
            return true;
        }
        if (auto at = r.shifted.find(c); at != std::string_view::npos) {
            scancode = uint8_t(r.first + at);
            shifted = true;
            return true;
        }
    }
    return false;
}

bool is_fkey(uint8_t sc) { return (sc >= kF1 && sc <= kF10) || sc == kF11 || sc == kF12; }

void emit(std::vector<Event>& out, Mods m, uint8_t sc, char32_t ch) {
    if (is_fkey(sc) && m.alt) m = Mods{.super = true};  // the VT switch chord
    if (m.super) out.push_back(key(kKeySuper, true));
    if (m.ctrl) out.push_back(key(kCtrl, true));
    if (m.alt) out.push_back(key(kAlt, true));
    if (m.shift) out.push_back(key(kLeftShift, true));
    out.push_back(key(sc, true, ch));
    out.push_back(key(sc, false, ch));
    if (m.shift) out.push_back(key(kLeftShift, false));
    if (m.alt) out.push_back(key(kAlt, false));
    if (m.ctrl) out.push_back(key(kCtrl, false));
    if (m.super) out.push_back(key(kKeySuper, false));
}

// xterm's modifier parameter: 1 + Shift + 2 Alt + 4 Ctrl (+ 8 Meta, taken as Alt).
bool apply_modifier(int param, Mods& m) {
    if (param < 1 || param > 16) return false;
    int bits = param - 1;
    m.shift = bits & 1;
    m.alt = (bits & 2) || (bits & 8);
    m.ctrl = bits & 4;
    return true;
}

uint8_t final_key(char f) {
    switch (f) {
    case 'A': return kUp;
    case 'B': return kDown;
    case 'C': return kRight;
    case 'D': return kLeft;
    case 'H': return kHome;
    case 'F': return kEnd;
    case 'P': return kF1;
    case 'Q': return uint8_t(kF1 + 1);
    case 'R': return uint8_t(kF1 + 2);
    case 'S': return uint8_t(kF1 + 3);
    default: return 0;
    }
}

uint8_t tilde_key(int n) {
    switch (n) {
    case 1: case 7: return kHome;
    case 2: return kInsert;
    case 3: return kDel;
    case 4: case 8: return kEnd;
    case 5: return kPgUp;
    case 6: return kPgDn;
    case 11: case 12: case 13: case 14: return uint8_t(kF1 + (n - 11));
    case 15: return kF5;
    case 17: case 18: case 19: case 20: case 21: return uint8_t(kF5 + 1 + (n - 17));
    case 23: return kF11;
    case 24: return kF12;
    default: return 0;
    }
}

enum class Parse { Key, Cut, Not };

// A CSI or SS3 key sequence at `at` (an ESC): its key and modifiers, and length;
// Cut when the input ends before the sequence does, Not when it is none.
Parse parse_sequence(std::string_view in, size_t at, uint8_t& sc, Mods& m, size_t& len) {
    if (at + 1 >= in.size()) return Parse::Cut;
    char kind = in[at + 1];
    if (kind != 'O' && kind != '[') return Parse::Not;
    if (at + 2 >= in.size()) return Parse::Cut;
    m = {};
    if (kind == 'O') {
        sc = final_key(in[at + 2]);
        len = 3;
        return sc != 0 ? Parse::Key : Parse::Not;
    }
    size_t i = at + 2;
    int params[2] = {0, 1};
    int count = 0;
    bool any = false;
    while (i < in.size() && ((in[i] >= '0' && in[i] <= '9') || in[i] == ';')) {
        if (in[i] == ';') {
            if (++count > 1) return Parse::Not;
            params[count] = 0;
            ++i;
            continue;
        }
        int v = 0;
        auto [p, ec] = std::from_chars(in.data() + i, in.data() + in.size(), v);
        if (ec != std::errc()) return Parse::Not;
        i = size_t(p - in.data());
        params[count] = v;
        any = true;
    }
    if (i >= in.size()) return Parse::Cut;
    char f = in[i];
    len = i + 1 - at;
    if (f == 'Z' && !any) {
        sc = kTab;
        m.shift = true;
        return Parse::Key;
    }
    if (f == '~') sc = tilde_key(params[0]);
    else if (any && params[0] != 1) return Parse::Not;
    else sc = final_key(f);
    if (sc == 0) return Parse::Not;
    return apply_modifier(count ? params[1] : 1, m) ? Parse::Key : Parse::Not;
}

// Length of the UTF-8 character at `at`: 0 when it is cut off at the end, -1 when
// the bytes are not UTF-8.
int utf8_char(std::string_view in, size_t at, char32_t& cp) {
    auto c = static_cast<unsigned char>(in[at]);
    int len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : -1;
    if (len < 0) return -1;
    uint32_t v = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (int k = 1; k < len; ++k) {
        if (at + size_t(k) >= in.size()) return 0;
        auto b = static_cast<unsigned char>(in[at + size_t(k)]);
        if ((b & 0xC0) != 0x80) return -1;
        v = (v << 6) | (b & 0x3F);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF))
        return -1;
    cp = v;
    return len;
}

// One key that is not an escape sequence, at `at`: the bytes it took, 0 for a
// UTF-8 character cut off at the end (unless `final`: then its lead byte is a key).
size_t decode_one(std::string_view in, size_t at, Mods m, std::vector<Event>& out, bool final) {
    auto c = static_cast<unsigned char>(in[at]);
    if (c >= 0x80) {
        char32_t cp = 0;
        int len = utf8_char(in, at, cp);
        if (len == 0 && !final) return 0;
        if (len <= 0) {
            emit(out, m, 0, char32_t(0xDC00 + c));
            return 1;
        }
        emit(out, m, 0, cp);
        return size_t(len);
    }
    if (c == 0x7F) emit(out, m, kBksp, 0);
    else if (c == '\r') emit(out, m, kEnter, U'\n');
    else if (c == '\t') emit(out, m, kTab, U'\t');
    else if (c == 0x1B) emit(out, m, kEsc, 0x1B);
    else if (c < 0x20) {
        m.ctrl = true;
        char ch = c == 0 ? ' ' : c <= 0x1A ? char('a' + c - 1) : char('\\' + (c - 0x1C));
        uint8_t sc = 0;
        bool shifted = false;
        (void)ascii_key(ch, sc, shifted);
        emit(out, m, sc, char32_t(ch));
    } else {
        uint8_t sc = 0;
        bool shifted = false;
        (void)ascii_key(char(c), sc, shifted);
        m.shift = m.shift || shifted;
        emit(out, m, sc, char32_t(c));
    }
    return 1;
}

void put_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

} // namespace

std::vector<Event> TerminalDecoder::decode(std::string_view bytes) {
    std::string in = std::move(m_partial);
    m_partial.clear();
    in.append(bytes);
    return run(std::move(in), false);
}

std::vector<Event> TerminalDecoder::flush() {
    std::string in = std::move(m_partial);
    m_partial.clear();
    return run(std::move(in), true);
}

// The keys in `in`. Unless `final`, a key that the end of `in` cuts off (or whose
// meaning depends on what follows, like ESC) is kept in m_partial, with all that
// follows it, for the next chunk.
std::vector<Event> TerminalDecoder::run(std::string in, bool final) {
    std::vector<Event> out;
    size_t i = 0;
    auto hold = [&] {
        m_partial = in.substr(i);
        i = in.size();
    };
    while (i < in.size()) {
        if (in[i] == 0x1B) {
            uint8_t sc = 0;
            Mods m;
            size_t len = 0;
            Parse p = parse_sequence(in, i, sc, m, len);
            if (p == Parse::Key) {
                emit(out, m, sc, 0);
                i += len;
                continue;
            }
            if (p == Parse::Cut && !final) {
                hold();  // ESC alone, ESC [ 1 ; ...: the rest may come
                break;
            }
            // ESC before a key: Alt held with it.
            if (i + 1 < in.size() && in[i + 1] == 0x1B) {
                Parse q = parse_sequence(in, i + 1, sc, m, len);
                if (q == Parse::Key) {
                    m.alt = true;
                    emit(out, m, sc, 0);
                    i += 1 + len;
                    continue;
                }
                if (q == Parse::Cut && !final) {
                    hold();
                    break;
                }
            }
            if (i + 1 < in.size() && in[i + 1] != '[' && in[i + 1] != 'O' && in[i + 1] != 0x1B) {
                if (size_t n = decode_one(in, i + 1, Mods{.alt = true}, out, final)) {
                    i += 1 + n;
                    continue;
                }
                hold();  // Alt + a UTF-8 character cut off
                break;
            }
        }
        size_t n = decode_one(in, i, Mods{}, out, final);
        if (n == 0) {
            hold();
            break;
        }
        i += n;
    }
    return out;
}

std::string TerminalEncoder::encode(std::span<const Event> events) {
    if (!m_super) {
        for (const Event& e : events) {
            if (e.code != kCodeKey || (e.b & 0xFF) != kKeySuper) continue;
            m_super = (e.b & 0x100) == 0;
            break;
        }
    }
    std::string out;
    for (const Event& e : events) {
        if (e.code != kCodeKey) continue;
        auto sc = uint8_t(e.b & 0xFF);
        bool pressed = (e.b & 0x100) != 0;
        auto ch = char32_t(e.a);
        switch (sc) {
        case kLeftShift: case kRightShift: m_shift = pressed; continue;
        case kCtrl: case kRightCtrl: m_ctrl = pressed; continue;
        case kAlt: m_alt = pressed; continue;
        case kKeySuper: case kRightSuper: m_super = pressed; continue;
        default: break;
        }
        if (pressed && m_super && is_fkey(sc)) {
            // inputd's VT switch chord: the rest of it, releases included, goes
            // to the VT it activates.
            m_shift = m_ctrl = m_alt = m_super = false;
            continue;
        }
        if (!pressed || m_super) continue;
        int mod = 1 + (m_shift ? 1 : 0) + (m_alt ? 2 : 0) + (m_ctrl ? 4 : 0);
        std::string alt = m_alt ? "\x1b" : "";
        auto csi = [&](std::string_view n, char f) {
            out += "\x1b[";
            if (mod > 1) out += std::string(n.empty() ? "1" : n) + ";" + std::to_string(mod);
            else out += n;
            out += f;
        };
        switch (sc) {
        case kEsc: out += alt + "\x1b"; continue;
        case kBksp: out += alt + (m_ctrl ? "\x08" : "\x7f"); continue;
        case kTab: out += m_shift ? alt + "\x1b[Z" : alt + "\t"; continue;
        case kEnter: out += alt + "\r"; continue;
        case kUp: csi("", 'A'); continue;
        case kDown: csi("", 'B'); continue;
        case kRight: csi("", 'C'); continue;
        case kLeft: csi("", 'D'); continue;
        case kHome: csi("", 'H'); continue;
        case kEnd: csi("", 'F'); continue;
        case kInsert: csi("2", '~'); continue;
        case kDel: csi("3", '~'); continue;
        case kPgUp: csi("5", '~'); continue;
        case kPgDn: csi("6", '~'); continue;
        case kF11: csi("23", '~'); continue;
        case kF12: csi("24", '~'); continue;
        default: break;
        }
        if (sc >= kF1 && sc < kF5) {
            if (mod > 1) csi("1", char('P' + (sc - kF1)));
            else out += std::string("\x1bO") + char('P' + (sc - kF1));
            continue;
        }
        if (sc >= kF5 && sc <= kF10) {
            static constexpr const char* kTilde[] = {"15", "17", "18", "19", "20", "21"};
            csi(kTilde[sc - kF5], '~');
            continue;
        }
        if (ch == 0) continue;
        if (ch >= 0xDC80 && ch <= 0xDCFF) {
            out += alt + char(ch - 0xDC00);
            continue;
        }
        if (m_ctrl) {
            if (ch >= 'a' && ch <= 'z') ch -= 0x60;
            else if (ch >= '@' && ch <= '_') ch &= 0x1F;
            else if (ch == ' ' || ch == '2') ch = 0;
            else if (ch == '?') ch = 0x7F;
        }
        out += alt;
        put_utf8(out, ch);
    }
    return out;
}

} // namespace redox::input
