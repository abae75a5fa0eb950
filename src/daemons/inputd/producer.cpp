#include "daemons/inputd/producer.h"

#include <charconv>
#include <string>

#include "schemes/libredox.h"

namespace redox::input {
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

Result<Event> parse_line(std::string_view line) {
    auto w = words(line);
    auto bad = [&](std::string_view why) {
        return err(EINVAL_, "\"" + std::string(line) + "\": " + std::string(why));
    };
    std::string_view cmd = w[0];
    auto args = [&](size_t n) { return w.size() == n + 1; };
    if (cmd == "key") {
        if (w.size() < 2 || w.size() > 4) return bad("expected key CODE [press|release] [U+XXXX]");
        unsigned code = 0;
        if (!number(w[1], code) || code > 0xFF) return bad("scancode is not a number 0..255");
        bool pressed = true;
        char32_t ch = 0;
        if (w.size() > 2) {
            if (w[2] == "press") pressed = true;
            else if (w[2] == "release") pressed = false;
            else return bad("expected press or release");
        }
        if (w.size() > 3 && !character(w[3], ch)) return bad("bad character");
        return key(uint8_t(code), pressed, ch);
    }
    if (cmd == "text") {
        char32_t ch = 0;
        if (!args(1) || !character(w[1], ch)) return bad("expected text U+XXXX or one character");
        return text(ch);
    }
    if (cmd == "mouse" || cmd == "mouse_relative" || cmd == "scroll" || cmd == "display_resize") {
        int32_t a = 0, b = 0;
        if (!args(2) || !number(w[1], a) || !number(w[2], b)) return bad("expected two integers");
        if (cmd == "mouse") return mouse(a, b);
        if (cmd == "mouse_relative") return mouse_relative(a, b);
        if (cmd == "scroll") return scroll(a, b);
        if (a <= 0 || b <= 0 || a > 16384 || b > 16384) return bad("display size must be 1..16384");
        return display_resize(a, b);
    }
    if (cmd == "button") {
        int v[3] = {};
        if (!args(3)) return bad("expected button LEFT MIDDLE RIGHT (0 or 1 each)");
        for (int i = 0; i < 3; ++i)
            if (!number(w[size_t(i) + 1], v[i]) || v[i] < 0 || v[i] > 1) return bad("button states are 0 or 1");
        return buttons(v[0] == 1, v[1] == 1, v[2] == 1);
    }
    if (cmd == "quit") {
        if (!args(0)) return bad("quit takes no arguments");
        return quit();
    }
    return bad("unknown command (key text mouse mouse_relative button scroll display_resize quit)");
}

} // namespace

Result<std::vector<Event>> parse_commands(std::string_view text) {
    std::vector<Event> out;
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

Result<Producer> Producer::open(std::string_view path) {
    int fd = TRY(sys::open(path, O_WRONLY_ | O_CLOEXEC_));
    return Producer(fd);
}

Producer& Producer::operator=(Producer&& o) noexcept {
    if (this != &o) {
        if (m_fd >= 0) (void)sys::close(m_fd);
        m_fd = o.m_fd;
        o.m_fd = -1;
    }
    return *this;
}

Producer::~Producer() {
    if (m_fd >= 0) (void)sys::close(m_fd);
}

Result<void> Producer::send(std::span<const Event> events) {
    if (events.empty()) return {};
    size_t len = events.size_bytes();
    size_t n = TRY(sys::write(m_fd, events.data(), len));
    if (n != len) return err(EIO_, "input producer: short write");
    return {};
}

Result<void> activate_vt(uint64_t vt) {
    int fd = TRY(sys::open("/scheme/input/control", O_WRONLY_ | O_CLOEXEC_));
    auto r = sys::write(fd, &vt, sizeof vt);
    (void)sys::close(fd);
    if (!r) return std::unexpected(r.error());
    return {};
}

Result<uint64_t> active_vt() {
    int fd = TRY(sys::open("/scheme/input/control", O_RDONLY_ | O_CLOEXEC_));
    uint64_t vt = 0;
    auto r = sys::read(fd, &vt, sizeof vt);
    (void)sys::close(fd);
    if (!r) return std::unexpected(r.error());
    if (*r != sizeof vt) return err(EIO_, "input control: short read");
    return vt;
}

} // namespace redox::input
