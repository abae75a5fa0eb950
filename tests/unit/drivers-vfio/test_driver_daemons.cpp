// The pieces of the driver daemons that need no sim: device specs as boot and pcid
// pass them, a model's fault plan (remove-after), usbhidd's boot-report decoding and
// pcid's channel rules.
#include <catch2/catch.hpp>

#include "daemons/pcid/PciScheme.h"
#include "daemons/usbhidd/boot_keyboard.h"
#include "daemons/usbhidd/boot_mouse.h"
#include "host/channel.h"
#include "host/device_spec.h"

using namespace redox;

TEST_CASE("device specs round-trip and reject bad input with the text in the message") {
    auto s = host::DeviceSpec::parse("nvme=/tmp/x.img,remove-after=3");
    REQUIRE(s);
    CHECK(s->kind == "nvme");
    CHECK(s->path == "/tmp/x.img");
    CHECK(s->remove_after == 3u);
    CHECK(s->text() == "nvme=/tmp/x.img,remove-after=3");
    CHECK(host::DeviceSpec::parse("e1000")->path.empty());
    CHECK(host::DeviceSpec::parse("xhci=/tmp/k.sock")->path == "/tmp/k.sock");

    auto bad = host::DeviceSpec::parse("nvme");
    REQUIRE(!bad);
    CHECK(bad.error().context.find("nvme needs a disk image") != std::string::npos);
    CHECK(!host::DeviceSpec::parse("virtio=x"));
    CHECK(!host::DeviceSpec::parse("ahci=/x,remove-after=many"));
    CHECK(!host::DeviceSpec::parse("ahci=/x,frobnicate=1"));
    auto v = host::DeviceSpec::parse_vfio("03:00.0");
    REQUIRE(v);
    CHECK(v->text() == "vfio=0000:03:00.0");
    CHECK(!host::DeviceSpec::parse_vfio("not-an-address"));
}

TEST_CASE("a model with remove-after stops answering after that many requests") {
    auto h = host::open_device(*host::DeviceSpec::parse("xhci,remove-after=2"));
    REQUIRE(h);
    REQUIRE(h->model);
    CHECK(*h->dev->config_read(0, 2) == 0x1B36);
    h->count_request();
    CHECK(!h->model->removed());
    h->count_request();
    CHECK(h->model->removed());
    CHECK(*h->dev->config_read(0, 2) == 0xFFFF);
}

TEST_CASE("boot keyboard reports become presses and releases with characters") {
    usbhid::BootKeyboard kb;
    uint8_t a[8] = {0, 0, 0x04, 0, 0, 0, 0, 0};
    auto ev = kb.report(a);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0] == input::key(0x1E, true, U'a'));
    // Shift held, then B joins A: only the changes are events.
    uint8_t ab[8] = {0x02, 0, 0x04, 0x05, 0, 0, 0, 0};
    ev = kb.report(ab);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0] == input::key(0x2A, true));
    CHECK(ev[1] == input::key(0x30, true, U'B'));
    // Rollover reports change nothing; a short report is ignored.
    uint8_t roll[8] = {0, 0, 1, 1, 1, 1, 1, 1};
    CHECK(kb.report(roll).empty());
    CHECK(kb.report(std::span<const uint8_t>(a, 4)).empty());
    uint8_t none[8] = {};
    ev = kb.report(none);
    REQUIRE(ev.size() == 3);
    CHECK(ev[0] == input::key(0x2A, false));
    CHECK(ev[1] == input::key(0x1E, false));
    CHECK(ev[2] == input::key(0x30, false));
    CHECK(usbhid::BootKeyboard::scancode(0x28) == 0x1C);  // Enter
    CHECK(usbhid::BootKeyboard::scancode(0x44) == 0x57);  // F11
    CHECK(usbhid::BootKeyboard::scancode(0xE0) == 0);     // modifiers come from byte 0
}

TEST_CASE("boot mouse reports become relative motion, button states and scrolling") {
    usbhid::BootMouse m;
    uint8_t move[4] = {0, 5, 0xFD, 0}; // dx 5, dy -3
    auto ev = m.report(move);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0] == input::mouse_relative(5, -3));
    // Left down, no motion: only the button state.
    uint8_t left[3] = {0x01, 0, 0};
    ev = m.report(left);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0] == input::buttons(true, false, false));
    // Held: no new button event; right joins with the wheel turned away from the user.
    uint8_t held[4] = {0x01, 0, 0, 0};
    CHECK(m.report(held).empty());
    uint8_t right_wheel[4] = {0x03, 0xFF, 0, 0x01};
    ev = m.report(right_wheel);
    REQUIRE(ev.size() == 3);
    CHECK(ev[0] == input::mouse_relative(-1, 0));
    CHECK(ev[1] == input::buttons(true, false, true));
    CHECK(ev[2] == input::scroll(0, 1));
    uint8_t middle[3] = {0x04, 0, 0};
    ev = m.report(middle);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0] == input::buttons(false, true, false));
    CHECK(m.report(std::span<const uint8_t>(move, 2)).empty()); // short: ignored
}

// pcid's channel for a device model: the claim is exclusive, and the calls a
// host function answers (config space, BARs, interrupt routing) say ENODEV,
// since the model lives in its driver. Only the claimant's handle may call.
TEST_CASE("pcid's channel calls are for the claimant of a host function") {
    pcid::Function f;
    f.addr.device = 2;
    f.spec = *host::DeviceSpec::parse("e1000");
    f.config.assign(256, 0);
    const std::string channel = f.entry_name() + "/channel", config_path = f.entry_name() + "/config";
    std::vector<pcid::Function> functions;
    functions.push_back(std::move(f));
    pcid::PciScheme scheme(std::move(functions));
    CallerCtx root{1, 0, 0}, user{2, 1000, 1000};
    CHECK(scheme.open(channel, O_RDWR_, 0, user).error().errnum == EACCES_);
    auto probe = scheme.open(channel, O_RDONLY_ | O_STAT_, 0, root);
    REQUIRE(probe);
    auto claim = scheme.open(channel, O_RDWR_, 0, root);
    REQUIRE(claim);
    CHECK(scheme.open(channel, O_RDWR_, 0, root).error().errnum == ENOLCK);
    uint32_t value = 0;
    std::span<uint8_t> payload(reinterpret_cast<uint8_t*>(&value), sizeof value);
    const uint64_t config_read[2] = {uint64_t(host::ChannelCall::ConfigRead), 0 | 4u << 16};
    CHECK(scheme.call(claim->number, payload, config_read, root).error().errnum == ENODEV_);
    CHECK(scheme.call(probe->number, payload, config_read, root).error().errnum == EBADF_);
    auto config = scheme.open(config_path, O_RDONLY_, 0, root);
    REQUIRE(config);
    CHECK(scheme.call(config->number, payload, config_read, root).error().errnum == EBADF_);
    // Closing the claim frees the function for the next driver.
    scheme.on_close(claim->number);
    auto again = scheme.open(channel, O_RDWR_, 0, root);
    CHECK(again.has_value());
}
