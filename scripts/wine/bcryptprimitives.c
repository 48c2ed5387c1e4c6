/*
 * Test scaffolding for scripts/wine-check, never shipped: a stand-in for Windows'
 * bcryptprimitives.dll, which wine 8 lacks. The Rust standard library inside the
 * keychain binding (@napi-rs/keyring-win32-x64-msvc) imports ProcessPrng from it,
 * so without this the binding cannot load under wine at all. Real Windows (8.1 and
 * later) has the real DLL; this one only forwards to advapi32's RtlGenRandom
 * (SystemFunction036), which wine has. Built at check time into a temporary folder.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    /* RtlGenRandom takes a ULONG length: fill larger requests in pieces. */
    while (length > 0) {
        ULONG piece = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, piece))
            return FALSE;
        data += piece;
        length -= piece;
    }
    return TRUE;
}
