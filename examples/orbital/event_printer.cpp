#include <string>
#include <variant>

#include "apps.h"
#include "orbital/client/window.h"

namespace redox::examples {
namespace {

using namespace orbclient;

// One human-readable line per event.
std::string describe(const EventOption& ev) {
    struct V {
        std::string operator()(const NoneEvent&) { return "None"; }
        std::string operator()(const KeyEvent& k) {
            return "Key scancode=0x" + hex(k.scancode) + (k.pressed ? " pressed" : " released");
        }
        std::string operator()(const MouseEvent& m) { return "Mouse " + xy(m.x, m.y); }
        std::string operator()(const ButtonEvent& b) {
            return std::string("Button left=") + (b.left ? "1" : "0") + " middle=" +
                   (b.middle ? "1" : "0") + " right=" + (b.right ? "1" : "0");
        }
        std::string operator()(const ScrollEvent& s) { return "Scroll " + xy(s.x, s.y); }
        std::string operator()(const QuitEvent&) { return "Quit"; }
        std::string operator()(const FocusEvent& f) { return f.focused ? "Focus in" : "Focus out"; }
        std::string operator()(const MoveEvent& m) { return "Move " + xy(m.x, m.y); }
        std::string operator()(const ResizeEvent& r) { return "Resize " + wh(r.width, r.height); }
        std::string operator()(const ScreenEvent& s) { return "Screen " + wh(s.width, s.height); }
        std::string operator()(const ClipboardEvent& c) {
            return "Clipboard action=" + std::to_string(int(c.action)) + " size=" + std::to_string(c.size);
        }
        std::string operator()(const MouseRelativeEvent& m) { return "MouseRelative " + xy(m.dx, m.dy); }
        std::string operator()(const DropEvent& d) { return "Drop action=" + std::to_string(d.action); }
        std::string operator()(const TextInputEvent& t) { return "TextInput U+" + hex(t.character); }
        std::string operator()(const ClipboardUpdateEvent&) { return "ClipboardUpdate"; }
        std::string operator()(const HoverEvent& h) { return h.entered ? "Hover in" : "Hover out"; }
        std::string operator()(const ScaleEvent& s) { return "Scale " + std::to_string(s.scale); }
        std::string operator()(const DragEnterEvent&) { return "DragEnter"; }
        std::string operator()(const DragMoveEvent& d) { return "DragMove " + xy(d.x, d.y); }
        std::string operator()(const DragLeaveEvent&) { return "DragLeave"; }
        std::string operator()(const ControllerAxisEvent& c) {
            return "ControllerAxis id=" + std::to_string(c.id) + " value=" + std::to_string(c.value);
        }
        std::string operator()(const ControllerButtonEvent& c) {
            return "ControllerButton id=" + std::to_string(c.id) + (c.pressed ? " pressed" : " released");
        }
        std::string operator()(const UnknownEvent& u) { return "Unknown code=0x" + hex(uint64_t(u.code)); }

        static std::string xy(int64_t x, int64_t y) { return std::to_string(x) + "," + std::to_string(y); }
        static std::string wh(uint64_t w, uint64_t h) { return std::to_string(w) + "x" + std::to_string(h); }
        static std::string hex(uint64_t v) {
            char buf[24];
            std::snprintf(buf, sizeof buf, "%llX", static_cast<unsigned long long>(v));
            return buf;
        }
    };
    return std::visit(V{}, ev);
}

class EventPrinterApp final : public orbital::App {
public:
    EventPrinterApp(std::unique_ptr<Window> w, std::FILE* out) : m_window(std::move(w)), m_out(out) {
        show("waiting for events");
    }

    bool step() override {
        auto events = m_window->events();
        if (!events) return false;
        for (const EventOption& ev : *events) {
            std::string line = describe(ev);
            std::fprintf(m_out, "event: %s\n", line.c_str());
            if (std::holds_alternative<QuitEvent>(ev)) {
                std::fflush(m_out);
                return false;
            }
            show(line);
        }
        if (!events->empty()) std::fflush(m_out);
        return true;
    }

private:
    void show(const std::string& line) {
        m_window->set(Color::rgb(32, 32, 32));
        m_window->text(8, 8, "last event:", Color::rgb(160, 160, 160));
        m_window->text(8, 28, line, Color::rgb(255, 255, 255));
        (void)m_window->sync();
    }

    std::unique_ptr<Window> m_window;
    std::FILE* m_out;
};

} // namespace

std::unique_ptr<orbital::App> make_event_printer_app(Transport& t, std::FILE* out) {
    auto w = Window::create(t, 40, 320, 360, 56, "Events", 0);
    if (!w) {
        std::fprintf(stderr, "events: open window: %s\n", w.error().message().c_str());
        return nullptr;
    }
    return std::make_unique<EventPrinterApp>(std::move(*w), out);
}

} // namespace redox::examples
