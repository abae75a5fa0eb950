// Pixels, rectangles, damage, flags, the font and PNG files.
#include <catch2/catch.hpp>
#include <filesystem>

#include "helpers.h"
#include "orbital/core/color.h"
#include "orbital/core/font.h"
#include "orbital/core/png_io.h"
#include "orbital/server/config.h"
#include "orbital/server/damage.h"

using namespace orbtest;

TEST_CASE("blend_pixel: opaque replaces, transparent keeps, half mixes") {
    CHECK(blend_pixel(0xFF000000, 0xFF123456) == 0xFF123456);
    CHECK(blend_pixel(0xFF123456, 0x00FFFFFF) == 0xFF123456);
    uint32_t mid = blend_pixel(0xFF000000, 0x80FFFFFF);
    CHECK(((mid >> 16) & 0xFF) == 0x80);   // 255 * 128 / 255
    CHECK((mid & 0xFF) == 0x80);
    CHECK((mid >> 24) == 0xFF);
    CHECK(blend_pixel(0xFF000000, 0x01FFFFFF) == 0xFF010101);
    CHECK(Color::rgb(1, 2, 3).data == 0xFF010203);
    CHECK(Color::rgb(0, 0, 0).interpolate(Color::rgb(200, 100, 50), 0.5) == Color::rgb(100, 50, 25));
}

TEST_CASE("rect intersect and unite") {
    Rect a{0, 0, 10, 10}, b{5, 5, 10, 10};
    CHECK(a.intersect(b) == Rect{5, 5, 5, 5});
    CHECK(a.unite(b) == Rect{0, 0, 15, 15});
    CHECK(a.intersect(Rect{20, 20, 1, 1}).empty());
}

TEST_CASE("damage list merges overlaps and collapses past its limit") {
    DamageList d(Rect{0, 0, 100, 100});
    d.add({0, 0, 10, 10});
    d.add({5, 5, 10, 10});
    REQUIRE(d.rects().size() == 1);
    CHECK(d.rects()[0] == Rect{0, 0, 15, 15});
    d.add({50, 50, 5, 5});
    CHECK(d.rects().size() == 2);
    d.add({90, 90, 50, 50});   // clipped to the screen
    CHECK(d.rects().back() == Rect{90, 90, 10, 10});
    d.take();
    for (int i = 0; i < 40; ++i) d.add({i * 2, 0, 1, 1});
    // Past the limit everything so far became one box; later rects stay separate.
    REQUIRE(d.rects().size() <= DamageList::kMaxRects);
    CHECK(d.rects()[0] == Rect{0, 0, 65, 1});
    for (int i = 0; i < 40; ++i) {
        bool covered = false;
        for (const Rect& r : d.rects()) covered |= r.contains(i * 2, 0);
        CHECK(covered);
    }
}

TEST_CASE("flag letters round-trip in orbclient bit order") {
    CHECK(parse_flags("abfrultmMhs") == 0x7FF);
    CHECK(flags_to_letters(0x7FF) == "abfrultmMhs");
    CHECK(parse_flags("r") == kFlagResizable);
    CHECK(parse_flags("M") == kFlagFullscreen);
    std::string unknown;
    CHECK(parse_flags("aZq", &unknown) == kFlagAsync);
    CHECK(unknown == "Zq");
}

TEST_CASE("built-in font draws recognisable glyphs") {
    // 'H': both vertical strokes, a crossbar, and a gap in the middle above it.
    CHECK(font::glyph_bit(U'H', 1, 1));
    CHECK(font::glyph_bit(U'H', 5, 1));
    CHECK_FALSE(font::glyph_bit(U'H', 3, 1));
    CHECK(font::glyph_bit(U'H', 3, 7));
    int set = 0;
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 8; ++x) set += font::glyph_bit(U' ', x, y);
    CHECK(set == 0);
    // Every printable glyph differs from every other.
    for (char32_t a = 0x21; a < 0x7F; ++a)
        for (char32_t b = a + 1; b < 0x7F; ++b) {
            bool same = true;
            for (int y = 0; y < 16 && same; ++y)
                for (int x = 0; x < 8 && same; ++x)
                    same = font::glyph_bit(a, x, y) == font::glyph_bit(b, x, y);
            INFO("glyphs " << char(a) << " and " << char(b));
            CHECK_FALSE(same);
        }
    Image img(40, 16, 0xFF000000);
    CHECK(font::draw_text(img.view(), 0, 0, "Hi\xC3\xA9", 0xFFFFFFFF, img.view().bounds()) == 24);
}

TEST_CASE("PNG written and read back is pixel-exact") {
    std::string dir = temp_dir();
    Image img(7, 5, 0xFF000000);
    for (int y = 0; y < 5; ++y)
        for (int x = 0; x < 7; ++x) img.pixels()[y * 7 + x] = 0xFF000000 | (x * 30) << 16 | (y * 50) << 8 | 7;
    REQUIRE(write_png(dir + "/a.png", img.view()).has_value());
    auto back = read_png(dir + "/a.png");
    REQUIRE(back.has_value());
    REQUIRE(back->width() == 7);
    REQUIRE(back->height() == 5);
    for (int y = 0; y < 5; ++y)
        for (int x = 0; x < 7; ++x) CHECK(back->at(x, y) == img.at(x, y));

    auto bad = write_png(dir + "/no/such/dir/x.png", img.view());
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().context.find("no/such/dir") != std::string::npos);
    auto notpng = read_png("/etc/hostname");
    CHECK_FALSE(notpng.has_value());
    std::filesystem::remove_all(dir);
}

TEST_CASE("config: upstream tables, integers and hex strings; errors name the line") {
    auto c = OrbitalConfig::parse(
        "cursor = \"/ui/cursor.png\"\n"
        "background_color = { data = 0xFF102030 }\n"
        "bar_color = 4278190335\n"
        "text_color = \"#AABBCC\"\n"
        "background_image = \"bg.png\"\n",
        "orbital.toml", "/ui");
    REQUIRE(c.has_value());
    CHECK(c->background_color == 0xFF102030);
    CHECK(c->bar_color == 4278190335u);
    CHECK(c->text_color == 0xFFAABBCC);
    CHECK(c->bar_highlight_color == 0xE0363636);   // default kept
    CHECK(c->background_image == "/ui/bg.png");

    auto bad = OrbitalConfig::parse("\n\nbar_color = \"blue\"\n", "x.toml");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().context.find("x.toml:3") != std::string::npos);
    auto broken = OrbitalConfig::parse("background_color = [", "y.toml");
    REQUIRE_FALSE(broken.has_value());
    CHECK(broken.error().context.find("y.toml:1") != std::string::npos);
    CHECK_FALSE(OrbitalConfig::load("/nonexistent/orbital.toml").has_value());
}

#include "orbital/server/region.h"

TEST_CASE("region subtraction leaves exactly the uncovered pixels") {
    std::vector<Rect> rs{{0, 0, 10, 10}};
    subtract(rs, Rect{3, 3, 4, 4});
    CHECK(rs.size() == 4);
    int64_t area = 0;
    for (auto& r : rs) area += r.area();
    CHECK(area == 100 - 16);
    for (int y = 0; y < 10; ++y)
        for (int x = 0; x < 10; ++x) {
            int hits = 0;
            for (auto& r : rs) hits += r.contains(x, y);
            bool in_cut = x >= 3 && x < 7 && y >= 3 && y < 7;
            CHECK(hits == (in_cut ? 0 : 1));
        }
    subtract(rs, Rect{-5, -5, 30, 30});
    CHECK(rs.empty());
}
