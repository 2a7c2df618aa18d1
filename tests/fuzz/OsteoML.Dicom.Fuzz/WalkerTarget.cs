using System.Runtime.InteropServices;
using OsteoML.Dicom.IO;

namespace OsteoML.Dicom.Fuzz;

/// <summary>
/// Fuzzes <see cref="DirectoryWalker"/>: the input is a script (3 bytes per operation, at most 48) that builds a
/// folder tree of folders, files, empty files, FIFOs and symbolic links — to ".", "..", other folders and files of
/// the tree, a folder outside it, link chains, dangling links — then walks it. A finding is an exception other than
/// the documented ones, a hang (AFL's timeout), or a broken promise: a file outside the tree, a file that is not a
/// regular file, or one real file listed twice.
/// </summary>
internal static partial class WalkerTarget
{
    private static readonly string Scratch = Path.Combine(Path.GetTempPath(), $"osteoml-fuzz-walk-{Environment.ProcessId}");
    private static readonly string[] Names = ["a", "b", "s", "x.dcm", "y.dcm", "DICOMDIR", ".hidden", "IM0001"];

    public static void Run(Stream input)
    {
        var script = new byte[3 * 48];
        var length = input.ReadAtLeast(script, script.Length, throwOnEndOfStream: false);
        if (Directory.Exists(Scratch)) Directory.Delete(Scratch, recursive: true);
        var root = Directory.CreateDirectory(Path.Combine(Scratch, "root")).FullName;
        var outside = Directory.CreateDirectory(Path.Combine(Scratch, "outside")).FullName;
        File.WriteAllText(Path.Combine(outside, "secret.dcm"), "outside");
        var folders = new List<string> { root };
        var entries = new List<string>();
        for (var at = 0; at + 3 <= length; at += 3)
        {
            var (kind, where, what) = (script[at] % 12, folders[script[at + 1] % folders.Count], script[at + 2]);
            var path = Path.Combine(where, Names[what % Names.Length] + (what / Names.Length % 4 == 0 ? "" : (what / Names.Length % 4).ToString()));
            if (Path.Exists(path) || File.Exists(path) || new FileInfo(path).LinkTarget is not null) continue;
            try
            {
                switch (kind)
                {
                    case 0: folders.Add(Directory.CreateDirectory(path).FullName); break;
                    case 1: File.WriteAllBytes(path, new byte[what % 7 + 1]); entries.Add(path); break;
                    case 2: File.WriteAllBytes(path, []); entries.Add(path); break;
                    case 3: File.CreateSymbolicLink(path, "."); break;
                    case 4: File.CreateSymbolicLink(path, ".."); break;
                    case 5: File.CreateSymbolicLink(path, Path.GetRelativePath(where, folders[what % folders.Count])); break;
                    case 6: File.CreateSymbolicLink(path, outside); break;
                    case 7 when entries.Count > 0: File.CreateSymbolicLink(path, entries[what % entries.Count]); break;
                    case 8: _ = MakeFifo(path, 0x1B6); break;
                    case 9: File.CreateSymbolicLink(path, Path.Combine(where, "missing-" + what)); break;
                    case 10: File.CreateSymbolicLink(path, root); break;
                    case 11: File.CreateSymbolicLink(path, Path.Combine(outside, "secret.dcm")); break;
                }
            }
            catch (IOException)
            {
                // a name clash the script made: fine, go on with the rest
            }
        }

        DirectoryWalk walk;
        try
        {
            walk = DirectoryWalker.Walk(root);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException)
        {
            return;
        }
        var rootReal = DirectoryWalker.RealPath(root)!;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in walk.Files)
        {
            var real = DirectoryWalker.RealPath(file) ?? throw new InvalidOperationException($"finding: listed {file} does not resolve");
            if (!real.StartsWith(rootReal + "/", StringComparison.Ordinal))
                throw new InvalidOperationException($"finding: listed {file} → {real}, outside {rootReal}");
            if (!DirectoryWalker.IsRegularFile(file))
                throw new InvalidOperationException($"finding: listed {file}, not a regular file");
            if (!seen.Add(real))
                throw new InvalidOperationException($"finding: {real} listed twice");
        }
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, int mode);
}
