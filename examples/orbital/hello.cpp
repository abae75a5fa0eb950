#include <variant>

#include "apps.h"
#include "orbital/client/window.h"

namespace redox::examples {
namespace {

using namespace orbclient;

class HelloApp final : public orbital::App {
public:
    explicit HelloApp(std::unique_ptr<Window> w) : m_window(std::move(w)) { draw(); }

    bool step() override {
        auto events = m_window->events();
        if (!events) return false;
        for (const EventOption& ev : *events) {
            if (std::holds_alternative<QuitEvent>(ev)) return false;
            if (std::holds_alternative<ResizeEvent>(ev)) draw();
        }
        return true;
    }

private:
    void draw() {
        Window& w = *m_window;
        w.linear_gradient(Rect{0, 0, w.width(), w.height()}, 0, 0, 0, w.height(),
                          Color::rgb(0x2B, 0x4C, 0x7E), Color::rgb(0x56, 0x7E, 0xBB));
        w.text(16, 16, "Hello, Redox!", Color::rgb(255, 255, 255));
        w.text(16, 40, "redox-sim orbital", Color::rgba(255, 255, 255, 160));
        w.circle(w.width() - 60, w.height() - 60, -40, Color::rgba(255, 200, 0, 200));
        w.circle(w.width() - 60, w.height() - 60, 44, Color::rgb(255, 255, 255));
        (void)w.sync();
    }

    std::unique_ptr<Window> m_window;
};

} // namespace

std::unique_ptr<orbital::App> make_hello_app(Transport& t) {
    auto w = Window::create(t, 40, 60, 320, 200, "Hello", orbital::kFlagResizable);
    if (!w) {
        std::fprintf(stderr, "hello: open window: %s\n", w.error().message().c_str());
        return nullptr;
    }
    return std::make_unique<HelloApp>(std::move(*w));
}

} // namespace redox::examples
