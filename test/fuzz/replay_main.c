/*
 * replay_main.c
 *	  A main() for the fuzz targets without libFuzzer: runs
 *	  LLVMFuzzerTestOneInput once on every file named on the command line
 *	  (directories are read one level deep).  Built with any C compiler, so
 *	  the corpus and saved crashes can be replayed under gcc, gdb or valgrind.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern int	LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int	nrun = 0;

static int
run_file(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	uint8_t    *buf;
	long		len;

	if (f == NULL)
	{
		perror(path);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	/* an exact-size copy, as libFuzzer hands it over */
	buf = malloc(len > 0 ? (size_t) len : 1);
	if (len > 0 && fread(buf, 1, (size_t) len, f) != (size_t) len)
	{
		perror(path);
		fclose(f);
		free(buf);
		return 1;
	}
	fclose(f);
	if (getenv("AZB_REPLAY_VERBOSE"))
		fprintf(stderr, "replay %s (%ld bytes)\n", path, len);
	LLVMFuzzerTestOneInput(buf, (size_t) len);
	free(buf);
	nrun++;
	return 0;
}

int
main(int argc, char **argv)
{
	int			errors = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
	{
		struct stat st;

		if (stat(argv[i], &st) != 0)
		{
			perror(argv[i]);
			errors++;
			continue;
		}
		if (S_ISDIR(st.st_mode))
		{
			DIR		   *d = opendir(argv[i]);
			struct dirent *e;

			while (d && (e = readdir(d)) != NULL)
			{
				char		path[4096];

				if (e->d_name[0] == '.')
					continue;
				snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
				if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
					errors += run_file(path);
			}
			if (d)
				closedir(d);
		}
		else
			errors += run_file(argv[i]);
	}
	printf("replayed %d inputs\n", nrun);
	return errors ? 1 : 0;
}
