// e1000d's core against the 82540EM model: the frame path a user of network.* sees.
#include <catch2/catch.hpp>

#include <vector>

#include "e1000/e1000.h"
#include "e1000/e1000_regs.h"
#include "model/e1000_model.h"

using namespace redox;

namespace {
std::vector<uint8_t> make_frame(const e1000::MacAddress& dst, const e1000::MacAddress& src, size_t len, uint8_t seed) {
    std::vector<uint8_t> f(len);
    std::copy(dst.begin(), dst.end(), f.begin());
    std::copy(src.begin(), src.end(), f.begin() + 6);
    f[12] = 0x88; // local experimental ethertype 0x88b5
    f[13] = 0xb5;
    for (size_t i = 14; i < len; ++i)
        f[i] = static_cast<uint8_t>(seed + i);
    return f;
}
} // namespace

TEST_CASE("e1000 reads the MAC from the EEPROM and brings the link up") {
    auto model = pci::E1000Model::create({0x02, 0x11, 0x22, 0x33, 0x44, 0x55});
    auto nic = e1000::E1000::create(*model);
    REQUIRE(nic.has_value());
    CHECK((*nic)->mac() == e1000::MacAddress{0x02, 0x11, 0x22, 0x33, 0x44, 0x55});
    CHECK((*nic)->link_up());
    // Link-up raised LSC through INTx.
    auto causes = (*nic)->handle_irq();
    REQUIRE(causes.has_value());
    CHECK((*causes & e1000::IntLsc) != 0);
}

TEST_CASE("e1000 frame goes out to the host endpoint and comes back") {
    auto model = pci::E1000Model::create();
    auto nic = std::move(*e1000::E1000::create(*model));
    e1000::MacAddress peer{0x02, 0, 0, 0, 0, 1};
    auto out = make_frame(peer, nic->mac(), 200, 7);
    REQUIRE(nic->send(out).has_value());
    auto seen = model->host_receive();
    REQUIRE(seen.has_value());
    CHECK(*seen == out);

    // The host answers with the addresses swapped.
    auto back = make_frame(nic->mac(), peer, 300, 9);
    model->host_send(back);
    std::vector<uint8_t> buf(2048);
    auto n = nic->receive_wait(buf, 1000);
    REQUIRE(n.has_value());
    REQUIRE(*n == back.size());
    buf.resize(*n);
    CHECK(buf == back);
}

TEST_CASE("e1000 moves more frames than the rings hold, in order") {
    auto model = pci::E1000Model::create();
    auto nic = std::move(*e1000::E1000::create(*model, {.timeout_ms = 200, .rx_descriptors = 16, .tx_descriptors = 16}));
    std::vector<std::vector<uint8_t>> frames;
    for (int i = 0; i < 100; ++i)
        frames.push_back(make_frame({2, 0, 0, 0, 0, 1}, nic->mac(), 60 + i * 10, static_cast<uint8_t>(i)));
    std::vector<std::span<const uint8_t>> views(frames.begin(), frames.end());
    REQUIRE(nic->send_batch(views).has_value());
    for (auto& f : frames) {
        auto seen = model->host_receive();
        REQUIRE(seen.has_value());
        CHECK(*seen == f);
    }
    CHECK_FALSE(model->host_receive().has_value());

    for (auto& f : frames)
        model->host_send(f);
    size_t i = 0;
    while (i < frames.size()) {
        auto got = nic->receive_batch([&](std::span<const uint8_t> f) {
            REQUIRE(i < frames.size());
            CHECK(std::equal(f.begin(), f.end(), frames[i].begin(), frames[i].end()));
            ++i;
        });
        REQUIRE(got.has_value());
        REQUIRE(*got > 0); // the model refills from its queue as RDT advances
    }
    CHECK(model->rx_dropped() == 0);
}

TEST_CASE("e1000 rejects bad frames and reports a removed device as EIO") {
    auto model = pci::E1000Model::create();
    auto nic = std::move(*e1000::E1000::create(*model, {.timeout_ms = 50}));
    std::vector<uint8_t> huge(2000);
    auto r = nic->send(huge);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().errnum == EINVAL);

    model->set_removed(true);
    std::vector<uint8_t> buf(2048);
    auto got = nic->receive(buf);
    REQUIRE_FALSE(got.has_value());
    CHECK(got.error().errnum == EIO);
    CHECK_THAT(got.error().context, Catch::Contains("removed"));
    // Sends never complete on a removed device: they time out with EIO, no hang.
    std::vector<uint8_t> f(64);
    Result<void> s;
    for (int i = 0; i < 300 && s.has_value(); ++i)
        s = nic->send(f);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().errnum == EIO);
}

TEST_CASE("e1000 refuses a device that is not a NIC") {
    auto model = pci::E1000Model::create();
    model->set_removed(true);
    auto nic = e1000::E1000::create(*model);
    REQUIRE_FALSE(nic.has_value());
    CHECK(nic.error().errnum == ENODEV);
}
