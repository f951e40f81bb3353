/* Build tool for ./build.sh lib: marks named sections of an ELF64 relocatable object
 * SHF_GNU_RETAIN, so that a final link with --gc-sections keeps them even when they are only
 * reached through __start_/__stop_ symbols (lld's default "start-stop-gc" drops such
 * sections; rust-lld then fails on __start___modules). objcopy cannot set this flag.
 *   elf_retain FILE.o SECTION...        exit 0 when every named section was found */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SHF_GNU_RETAIN
#define SHF_GNU_RETAIN (1 << 21)
#endif

int main(int argc, char** argv)
{
	if (argc < 3)
	{
		fprintf(stderr, "usage: %s FILE.o SECTION...\n", argv[0]);
		return 2;
	}
	FILE* f = fopen(argv[1], "r+b");
	if (!f)
	{
		perror(argv[1]);
		return 1;
	}
	Elf64_Ehdr eh;
	if (fread(&eh, sizeof(eh), 1, f) != 1 || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0
	    || eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr))
	{
		fprintf(stderr, "%s: not an ELF64 object\n", argv[1]);
		return 1;
	}
	size_t count = eh.e_shnum;
	Elf64_Shdr* sh = calloc(count ? count : 1, sizeof(Elf64_Shdr));
	if (count == 0 || fseek(f, (long)eh.e_shoff, SEEK_SET) != 0 || fread(sh, sizeof(Elf64_Shdr), 1, f) != 1)
	{
		fprintf(stderr, "%s: cannot read section headers\n", argv[1]);
		return 1;
	}
	/* More than SHN_LORESERVE sections: the real count is in section 0's sh_size. */
	if (eh.e_shnum == 0 && sh[0].sh_size)
		count = sh[0].sh_size;
	sh = realloc(sh, count * sizeof(Elf64_Shdr));
	size_t strndx = eh.e_shstrndx == SHN_XINDEX ? sh[0].sh_link : eh.e_shstrndx;
	if (!sh || fseek(f, (long)eh.e_shoff, SEEK_SET) != 0 || fread(sh, sizeof(Elf64_Shdr), count, f) != count
	    || strndx >= count)
	{
		fprintf(stderr, "%s: cannot read section headers\n", argv[1]);
		return 1;
	}
	char* names = malloc(sh[strndx].sh_size + 1);
	if (!names || fseek(f, (long)sh[strndx].sh_offset, SEEK_SET) != 0
	    || fread(names, 1, sh[strndx].sh_size, f) != sh[strndx].sh_size)
	{
		fprintf(stderr, "%s: cannot read section names\n", argv[1]);
		return 1;
	}
	names[sh[strndx].sh_size] = 0;
	int missing = 0;
	for (int a = 2; a < argc; a++)
	{
		int found = 0;
		for (size_t i = 1; i < count; i++)
		{
			if (sh[i].sh_name >= sh[strndx].sh_size || strcmp(names + sh[i].sh_name, argv[a]) != 0)
				continue;
			sh[i].sh_flags |= SHF_GNU_RETAIN;
			if (fseek(f, (long)(eh.e_shoff + i * sizeof(Elf64_Shdr)), SEEK_SET) != 0
			    || fwrite(&sh[i], sizeof(Elf64_Shdr), 1, f) != 1)
			{
				perror(argv[1]);
				return 1;
			}
			found = 1;
		}
		if (!found)
		{
			fprintf(stderr, "%s: no section %s\n", argv[1], argv[a]);
			missing = 1;
		}
	}
	free(names);
	free(sh);
	return fclose(f) == 0 && !missing ? 0 : 1;
}
