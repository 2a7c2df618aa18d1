/* Stands in for std::ios_base_library_init(), which GCC 13's headers reference (libstdc++ GLIBCXX_3.4.32)
   only to force iostream initialisation. Older libstdc++ (Debian 12: GCC 12) initialises iostreams by
   itself, so a no-op is the correct behaviour there. Linked into libLibTorchSharp.so by patch-libtorchsharp.sh. */
void _ZSt21ios_base_library_initv(void) {}
