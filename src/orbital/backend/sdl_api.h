// SDL2, loaded on first use with dlopen. Programs that link the SDL backend but
// never open a window (redox-sim itself for boot, test, fs ...) would otherwise
// load SDL2 and its dozens of libraries at every start.
//
// backend/sdl.cpp includes this after <SDL2/SDL.h>; the macros below turn its
// SDL_* calls into calls through the loaded table. Call sdl_api::load() first.
#pragma once

#include <SDL2/SDL.h>

#include <string>

namespace redox::orbital::sdl_api {

#define REDOX_SDL_FUNCTIONS(X)                                                                         \
    X(Init) X(Quit) X(GetError) X(CreateWindow) X(DestroyWindow) X(CreateRenderer) X(DestroyRenderer)   \
    X(CreateTexture) X(DestroyTexture) X(UpdateTexture) X(RenderClear) X(RenderCopy) X(RenderPresent)    \
    X(RenderReadPixels) X(GetRendererOutputSize) X(PollEvent) X(WaitEventTimeout) X(PushEvent)          \
    X(RegisterEvents) X(StartTextInput) X(ShowCursor)

struct Table {
#define REDOX_SDL_FIELD(name) decltype(&::SDL_##name) name = nullptr;
    REDOX_SDL_FUNCTIONS(REDOX_SDL_FIELD)
#undef REDOX_SDL_FIELD
};

// Loads libSDL2 once. Returns false (and `why`) when it cannot be loaded.
bool load(std::string& why);
// The loaded functions; only valid after load() returned true.
const Table& table();

} // namespace redox::orbital::sdl_api

#ifndef REDOX_SDL_API_IMPLEMENTATION
#define SDL_Init (::redox::orbital::sdl_api::table().Init)
#define SDL_Quit (::redox::orbital::sdl_api::table().Quit)
#define SDL_GetError (::redox::orbital::sdl_api::table().GetError)
#define SDL_CreateWindow (::redox::orbital::sdl_api::table().CreateWindow)
#define SDL_DestroyWindow (::redox::orbital::sdl_api::table().DestroyWindow)
#define SDL_CreateRenderer (::redox::orbital::sdl_api::table().CreateRenderer)
#define SDL_DestroyRenderer (::redox::orbital::sdl_api::table().DestroyRenderer)
#define SDL_CreateTexture (::redox::orbital::sdl_api::table().CreateTexture)
#define SDL_DestroyTexture (::redox::orbital::sdl_api::table().DestroyTexture)
#define SDL_UpdateTexture (::redox::orbital::sdl_api::table().UpdateTexture)
#define SDL_RenderClear (::redox::orbital::sdl_api::table().RenderClear)
#define SDL_RenderCopy (::redox::orbital::sdl_api::table().RenderCopy)
#define SDL_RenderPresent (::redox::orbital::sdl_api::table().RenderPresent)
#define SDL_RenderReadPixels (::redox::orbital::sdl_api::table().RenderReadPixels)
#define SDL_GetRendererOutputSize (::redox::orbital::sdl_api::table().GetRendererOutputSize)
#define SDL_PollEvent (::redox::orbital::sdl_api::table().PollEvent)
#define SDL_WaitEventTimeout (::redox::orbital::sdl_api::table().WaitEventTimeout)
#define SDL_PushEvent (::redox::orbital::sdl_api::table().PushEvent)
#define SDL_RegisterEvents (::redox::orbital::sdl_api::table().RegisterEvents)
#define SDL_StartTextInput (::redox::orbital::sdl_api::table().StartTextInput)
#define SDL_ShowCursor (::redox::orbital::sdl_api::table().ShowCursor)
#endif
