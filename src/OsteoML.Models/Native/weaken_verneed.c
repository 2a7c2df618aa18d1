/* weaken_verneed FILE VERSION: marks every version-need entry named VERSION in FILE's .gnu.version_r
   section VER_FLG_WEAK, so the dynamic loader no longer refuses to load FILE when no library provides
   that version. ELF64 little-endian only (linux-x64). Idempotent; exits 0 when nothing needed changing. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *file, const char *why)
{
    fprintf(stderr, "weaken_verneed: %s: %s\n", file, why);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3)
    {
        fprintf(stderr, "usage: weaken_verneed FILE VERSION\n");
        return 2;
    }
    const char *path = argv[1], *version = argv[2];
    FILE *f = fopen(path, "r+b");
    if (!f)
        return fail(path, "cannot open");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    unsigned char *image = malloc(size);
    fseek(f, 0, SEEK_SET);
    if (!image || fread(image, 1, size, f) != (size_t)size)
        return fail(path, "cannot read");

    Elf64_Ehdr *eh = (Elf64_Ehdr *)image;
    if (size < (long)sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64)
        return fail(path, "not an ELF64 file");
    Elf64_Shdr *sections = (Elf64_Shdr *)(image + eh->e_shoff);

    int changed = 0, found = 0;
    for (int i = 0; i < eh->e_shnum; i++)
    {
        if (sections[i].sh_type != SHT_GNU_verneed)
            continue;
        const char *strings = (const char *)(image + sections[sections[i].sh_link].sh_offset);
        unsigned char *need = image + sections[i].sh_offset;
        for (;;)
        {
            Elf64_Verneed *vn = (Elf64_Verneed *)need;
            unsigned char *aux = need + vn->vn_aux;
            for (int j = 0; j < vn->vn_cnt; j++)
            {
                Elf64_Vernaux *va = (Elf64_Vernaux *)aux;
                if (strcmp(strings + va->vna_name, version) == 0)
                {
                    found = 1;
                    if (!(va->vna_flags & VER_FLG_WEAK))
                    {
                        va->vna_flags |= VER_FLG_WEAK;
                        changed = 1;
                    }
                }
                aux += va->vna_next;
            }
            if (vn->vn_next == 0)
                break;
            need += vn->vn_next;
        }
    }
    if (changed && (fseek(f, 0, SEEK_SET) != 0 || fwrite(image, 1, size, f) != (size_t)size))
        return fail(path, "cannot write");
    fclose(f);
    free(image);
    if (!found)
        fprintf(stderr, "weaken_verneed: %s: no version need named %s (nothing to do)\n", path, version);
    return 0;
}
