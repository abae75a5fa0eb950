#define REDOX_SDL_API_IMPLEMENTATION
#include "orbital/backend/sdl_api.h"

#include <dlfcn.h>
#include <mutex>

namespace redox::orbital::sdl_api {

namespace {
Table g_table;
bool g_loaded = false;
std::string g_why;
std::once_flag g_once;

void load_once() {
    void* lib = dlopen("libSDL2-2.0.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char* e = dlerror();
        g_why = std::string("cannot load SDL2: ") + (e ? e : "libSDL2-2.0.so.0 not found");
        return;
    }
    Table t;
    bool ok = true;
#define REDOX_SDL_LOAD(name)                                                          \
    t.name = reinterpret_cast<decltype(t.name)>(dlsym(lib, "SDL_" #name));            \
    if (!t.name) { ok = false; g_why = "SDL2 has no SDL_" #name; }
    REDOX_SDL_FUNCTIONS(REDOX_SDL_LOAD)
#undef REDOX_SDL_LOAD
    if (!ok) return;
    g_table = t;
    g_loaded = true;
}
} // namespace

bool load(std::string& why) {
    std::call_once(g_once, load_once);
    if (!g_loaded) why = g_why;
    return g_loaded;
}

const Table& table() { return g_table; }

} // namespace redox::orbital::sdl_api
