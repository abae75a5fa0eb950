// xhcid's core against the xHCI model: the model keyboard and mouse are enumerated
// at start, and a key press or mouse motion arrives as a boot report through the
// device's interrupt endpoint.
#include <catch2/catch.hpp>

#include "model/xhci_model.h"
#include "xhci/xhci.h"

using namespace redox;

TEST_CASE("xhci enumerates the model keyboard on port 1 and the mouse on port 2") {
    auto model = pci::XhciModel::create();
    auto hc = xhci::Xhci::create(*model);
    REQUIRE(hc.has_value());
    auto ports = (*hc)->ports();
    REQUIRE(ports.size() == 2);
    CHECK(ports[0].connected);
    CHECK(ports[0].enabled);
    CHECK(ports[0].speed == xhci::SpeedFull);
    CHECK(ports[1].connected);
    CHECK(ports[1].enabled);

    REQUIRE((*hc)->devices().size() == 2);
    const auto& kbd = (*hc)->devices()[0];
    CHECK(kbd.port == 1);
    CHECK(kbd.slot == 1);
    CHECK(kbd.descriptor.vendor == 0x0627);
    CHECK(kbd.descriptor.product == 0x0001);
    CHECK(kbd.descriptor.max_packet0 == 8);
    REQUIRE(kbd.configuration.interfaces.size() == 1);
    CHECK(kbd.configuration.interfaces[0].is_boot_keyboard());
    REQUIRE(kbd.configuration.interfaces[0].endpoints.size() == 1);
    CHECK(kbd.configuration.interfaces[0].endpoints[0].address == 0x81);
    CHECK(kbd.keyboard);
    // The model saw the requests a keyboard driver must send.
    CHECK(model->keyboard().configuration() == 1);
    CHECK(model->keyboard().boot_protocol());

    const auto& mouse = (*hc)->devices()[1];
    CHECK(mouse.port == 2);
    CHECK(mouse.slot == 2);
    CHECK(mouse.descriptor.product == 0x0002);
    REQUIRE(mouse.configuration.interfaces.size() == 1);
    CHECK(mouse.configuration.interfaces[0].is_boot_mouse());
    CHECK(mouse.mouse);
    CHECK_FALSE(mouse.keyboard);
    CHECK(model->mouse().configuration() == 1);
    CHECK(model->mouse().boot_protocol());
}

TEST_CASE("xhci delivers mouse motion from the model mouse") {
    auto model = pci::XhciModel::create();
    auto hc = std::move(*xhci::Xhci::create(*model));
    std::vector<std::pair<uint8_t, std::vector<uint8_t>>> reports;
    auto sink = [&](uint8_t slot, std::span<const uint8_t> r) { reports.emplace_back(slot, std::vector<uint8_t>(r.begin(), r.end())); };
    model->move_mouse(0x01, 5, -3, 1);
    model->press_key(0x04);
    REQUIRE(*hc->wait_reports(sink, 1000) >= 1);
    hc->poll_events(sink);
    REQUIRE(reports.size() == 3);
    CHECK(reports[0].first == 2);
    CHECK(reports[0].second == std::vector<uint8_t>{0x01, 5, 0xFD, 1});
    CHECK(reports[1].first == 1); // the key press and release from the keyboard
    CHECK(reports[2].first == 1);
}

TEST_CASE("xhci delivers a key press from the model keyboard") {
    auto model = pci::XhciModel::create();
    auto hc = std::move(*xhci::Xhci::create(*model));
    std::vector<std::vector<uint8_t>> reports;
    auto sink = [&](uint8_t slot, std::span<const uint8_t> r) {
        CHECK(slot == 1);
        reports.emplace_back(r.begin(), r.end());
    };
    CHECK(*hc->poll_events(sink) == 0); // nothing pressed yet

    model->press_key(0x04, 0x02); // shift + 'a'
    REQUIRE(*hc->wait_reports(sink, 1000) >= 1);
    hc->poll_events(sink);
    REQUIRE(reports.size() == 2);
    CHECK(reports[0] == std::vector<uint8_t>{0x02, 0, 0x04, 0, 0, 0, 0, 0});
    CHECK(reports[1] == std::vector<uint8_t>(8, 0)); // release

    // Many presses: more reports than any ring holds, none lost, in order.
    reports.clear();
    for (uint8_t k = 0x04; k < 0x04 + 60; ++k) {
        model->press_key(k);
        hc->poll_events(sink);
    }
    REQUIRE(reports.size() == 120); // wraps the event and transfer rings
    for (size_t i = 0; i < 60; ++i)
        CHECK(reports[2 * i][2] == 0x04 + i);
}

TEST_CASE("xhci control transfers: string descriptor, stall, no-op") {
    auto model = pci::XhciModel::create();
    auto hc = std::move(*xhci::Xhci::create(*model));
    auto s = hc->control_in(1, xhci::SetupPacket{0x80, 6, 0x0302, 0x0409, 255});
    REQUIRE(s.has_value());
    REQUIRE(s->size() == 2 + 2 * 18); // "USB keyboard model" in UTF-16, shorter than asked
    CHECK((*s)[2] == 'U');
    auto stall = hc->control_in(1, xhci::SetupPacket{0x80, 6, 0x0F00, 0, 16}); // BOS: not supported
    REQUIRE_FALSE(stall.has_value());
    CHECK(stall.error().errnum == EIO);
    CHECK_THAT(stall.error().context, Catch::Contains("stalled"));
    CHECK(hc->noop().has_value());
    CHECK_FALSE(hc->control_in(5, xhci::SetupPacket{0x80, 6, 0x0100, 0, 18}).has_value()); // no such slot
}

TEST_CASE("xhci reports a removed controller as EIO") {
    auto model = pci::XhciModel::create();
    auto hc = std::move(*xhci::Xhci::create(*model, {.timeout_ms = 100}));
    model->set_removed(true);
    auto r = hc->poll_events([](uint8_t, std::span<const uint8_t>) {});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().errnum == EIO);
    CHECK_THAT(r.error().context, Catch::Contains("removed"));
    CHECK_FALSE(hc->noop().has_value());
    CHECK_FALSE(xhci::Xhci::create(*model).has_value());
}
