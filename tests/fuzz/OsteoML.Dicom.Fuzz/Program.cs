using OsteoML.Dicom;
using OsteoML.Dicom.Codecs;
using OsteoML.Dicom.Series;
using SharpFuzz;

namespace OsteoML.Dicom.Fuzz;

/// <summary>
/// One fuzz input = one file's bytes: parse it, walk every element's value, decode every frame. The clear errors
/// of the library (<see cref="DicomDataException"/>, <see cref="NotSupportedException"/>, <see cref="FormatException"/>)
/// are fine; any other exception, a hang or a crash is a finding.
/// With a file argument it runs that one input outside AFL (how crashers are replayed). The environment variable
/// <c>OSTEOML_FUZZ_TARGET</c> picks the target: <c>dicom</c> (default), <c>codecs</c> (<see cref="CodecTarget"/>: the
/// compressed-frame decoders directly — a mutated DICOM file rarely keeps a valid codestream, so the C libraries' parsers
/// see far more of their input space this way), <c>walker</c> (<see cref="WalkerTarget"/>) or <c>manifest</c>
/// (<see cref="ManifestTarget"/>). <c>--make-codec-seeds DIR FILES…</c> writes the codecs target's seeds.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 1 && args[0] == "--make-codec-seeds")
        {
            CodecTarget.MakeSeeds(args[1], args[2..]);
            return;
        }
        Action<Stream> target = Environment.GetEnvironmentVariable("OSTEOML_FUZZ_TARGET") switch
        {
            "walker" => WalkerTarget.Run,
            "manifest" => ManifestTarget.Run,
            "codecs" => CodecTarget.Run,
            _ => Run,
        };
        if (args.Length > 0)
        {
            foreach (var path in args)
            {
                using var stream = File.OpenRead(path);
                target(stream);
            }
            return;
        }
        Fuzzer.OutOfProcess.Run(target);
    }

    public static void Run(Stream input)
    {
        try
        {
            var file = DicomFile.Open(input);
            Walk(file.Dataset);
            // The series layer's reading of geometry and metadata, on whatever the header holds.
            var slices = DicomSlice.From("fuzz", file.Dataset).Take(16).ToList();
            if (slices.Count > 0)
                _ = DicomStack.Assemble(slices).Count();
            if (file.Dataset.Contains(DicomTag.PixelData))
            {
                // No size guard here: the library must refuse frame sizes the data cannot hold.
                var pixels = DicomPixelData.Create(file.Dataset);
                for (var f = 0; f < Math.Min(pixels.NumberOfFrames, 4); f++)
                {
                    pixels.GetStoredValues(f);
                    pixels.GetRescale(f);
                }
            }
        }
        catch (Exception ex) when (ex is DicomDataException or NotSupportedException or FormatException)
        {
        }
    }

    private static void Walk(DicomDataset dataset)
    {
        foreach (var item in dataset)
        {
            switch (item)
            {
                case DicomSequence sequence:
                    foreach (var child in sequence.Items)
                        Walk(child);
                    break;
                case DicomElement element when element.VR.IsString:
                    dataset.GetString(element.Tag);
                    break;
                case DicomElement element when element.VR.IsBinaryNumber && element.Length < 1 << 20:
                    dataset.GetValues<double>(element.Tag);
                    break;
            }
        }
    }
}
