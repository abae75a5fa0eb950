#include <algorithm>
#include <optional>
#include <variant>

#include "apps.h"
#include "orbital/client/window.h"
#include "orbital/core/event.h"

namespace redox::examples {
namespace {

using namespace orbclient;

class PaintApp final : public orbital::App {
public:
    explicit PaintApp(std::unique_ptr<Window> w) : m_window(std::move(w)) { clear(); }

    bool step() override {
        auto events = m_window->events();
        if (!events) return false;
        for (const EventOption& ev : *events) {
            if (std::holds_alternative<QuitEvent>(ev)) return false;
            if (std::holds_alternative<ResizeEvent>(ev)) clear();
            if (auto* b = std::get_if<ButtonEvent>(&ev)) {
                if (b->right) clear();
                m_drawing = b->left;
                if (m_drawing && m_last) stroke(*m_last, *m_last);
            }
            if (auto* m = std::get_if<MouseEvent>(&ev)) {
                std::pair<int32_t, int32_t> p{m->x, m->y};
                if (m_drawing && m_last) stroke(*m_last, p);
                m_last = p;
            }
            if (auto* k = std::get_if<KeyEvent>(&ev); k && k->pressed &&
                k->scancode >= orbital::key::K1 && k->scancode <= orbital::key::K5) {
                static constexpr Color kPalette[] = {Color::rgb(0, 0, 0), Color::rgb(220, 40, 40),
                    Color::rgb(40, 160, 60), Color::rgb(40, 80, 220), Color::rgb(240, 200, 0)};
                m_color = kPalette[k->scancode - orbital::key::K1];
            }
        }
        return true;
    }

private:
    void clear() {
        m_window->set(Color::rgb(255, 255, 255));
        m_window->text(4, 2, "left: draw  right: clear  1-5: colour", Color::rgb(120, 120, 120));
        (void)m_window->sync();
    }

    // A 3 px wide line; only its bounding box is sent as damage.
    void stroke(std::pair<int32_t, int32_t> a, std::pair<int32_t, int32_t> b) {
        for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx)
                m_window->line(a.first + dx, a.second + dy, b.first + dx, b.second + dy, m_color);
        Rect r{std::min(a.first, b.first) - 1, std::min(a.second, b.second) - 1,
               std::abs(a.first - b.first) + 3, std::abs(a.second - b.second) + 3};
        (void)m_window->update_rects(std::span(&r, 1));
    }

    std::unique_ptr<Window> m_window;
    Color m_color = Color::rgb(0, 0, 0);
    bool m_drawing = false;
    std::optional<std::pair<int32_t, int32_t>> m_last;
};

} // namespace

std::unique_ptr<orbital::App> make_paint_app(Transport& t) {
    auto w = Window::create(t, 400, 60, 400, 300, "Paint", orbital::kFlagResizable);
    if (!w) {
        std::fprintf(stderr, "paint: open window: %s\n", w.error().message().c_str());
        return nullptr;
    }
    return std::make_unique<PaintApp>(std::move(*w));
}

} // namespace redox::examples
