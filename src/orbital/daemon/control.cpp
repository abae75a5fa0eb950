#include "orbital/daemon/control.h"

#include <cerrno>
#include <charconv>
#include <string>

namespace redox::orbital {
namespace {

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
        if (j > i) out.push_back(line.substr(i, j - i));
        i = j;
    }
    return out;
}

template <typename T>
bool number(std::string_view s, T& out) {
    int base = 10;
    if (s.starts_with("0x") || s.starts_with("0X")) {
        s.remove_prefix(2);
        base = 16;
    }
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

// "U+XXXX" or one UTF-8 encoded character.
bool character(std::string_view s, char32_t& out) {
    if (s.starts_with("U+") || s.starts_with("u+")) {
        uint32_t v = 0;
        auto [p, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
        if (s.size() == 2 || ec != std::errc() || p != s.data() + s.size() || v > 0x10FFFF) return false;
        out = v;
        return true;
    }
    auto c = static_cast<unsigned char>(s.empty() ? 0 : s[0]);
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (s.empty() || len != s.size()) return false;
    uint32_t v = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t i = 1; i < len; ++i) {
        auto b = static_cast<unsigned char>(s[i]);
        if ((b & 0xC0) != 0x80) return false;
        v = (v << 6) | (b & 0x3F);
    }
    out = v;
    return true;
}

Result<InputEvent> parse_line(std::string_view line) {
    auto w = words(line);
    auto bad = [&](std::string_view why) {
        return err(EINVAL, "orbital control \"" + std::string(line) + "\": " + std::string(why));
    };
    std::string_view cmd = w[0];
    auto args = [&](size_t n) { return w.size() == n + 1; };
    if (cmd == "key") {
        if (w.size() < 2 || w.size() > 4) return bad("expected key CODE [press|release] [U+XXXX]");
        KeyInput k;
        unsigned code = 0;
        if (!number(w[1], code) || code > 0xFF) return bad("scancode is not a number 0..255");
        k.scancode = uint8_t(code);
        if (w.size() > 2) {
            if (w[2] == "press") k.pressed = true;
            else if (w[2] == "release") k.pressed = false;
            else return bad("expected press or release");
        }
        if (w.size() > 3 && !character(w[3], k.character)) return bad("bad character");
        return InputEvent{k};
    }
    if (cmd == "text") {
        TextInput t;
        if (!args(1) || !character(w[1], t.character)) return bad("expected text U+XXXX or one character");
        return InputEvent{t};
    }
    if (cmd == "mouse" || cmd == "mouse_relative" || cmd == "scroll" || cmd == "display_resize") {
        int32_t a = 0, b = 0;
        if (!args(2) || !number(w[1], a) || !number(w[2], b)) return bad("expected two integers");
        if (cmd == "mouse") return InputEvent{MouseInput{a, b}};
        if (cmd == "mouse_relative") return InputEvent{MouseRelativeInput{a, b}};
        if (cmd == "scroll") return InputEvent{ScrollInput{a, b}};
        if (a <= 0 || b <= 0) return bad("display size must be positive");
        return InputEvent{DisplayResizeInput{a, b}};
    }
    if (cmd == "button") {
        int v[3] = {};
        if (!args(3)) return bad("expected button LEFT MIDDLE RIGHT (0 or 1 each)");
        for (int i = 0; i < 3; ++i)
            if (!number(w[size_t(i) + 1], v[i]) || v[i] < 0 || v[i] > 1) return bad("button states are 0 or 1");
        return InputEvent{ButtonInput{v[0] == 1, v[1] == 1, v[2] == 1}};
    }
    if (cmd == "quit") {
        if (!args(0)) return bad("quit takes no arguments");
        return InputEvent{QuitInput{}};
    }
    return bad("unknown command (key text mouse mouse_relative button scroll display_resize quit)");
}

} // namespace

Result<std::vector<InputEvent>> parse_control(std::string_view text) {
    std::vector<InputEvent> out;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (words(line).empty()) continue;
        out.push_back(TRY(parse_line(line)));
    }
    return out;
}

} // namespace redox::orbital
