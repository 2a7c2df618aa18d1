using System.Globalization;
using OsteoML.Imaging;

namespace OsteoML.Dicom.Series;

/// <summary>
/// Slices of one series that share orientation and grid, ordered by position along the slice normal (never by
/// InstanceNumber or file name), with the geometry of the volume they make and what is odd about them.
/// A rejected stack has a <see cref="RejectionReason"/> and no geometry.
/// </summary>
public sealed class DicomStack
{
    /// <summary>Positions closer than this along the normal are the same slice (mm).</summary>
    public const double DuplicateToleranceMm = 0.01;
    /// <summary>Orientations whose axes differ by less than this angle are one orientation.</summary>
    public const double OrientationToleranceDegrees = 0.1;
    /// <summary>Slice steps within this fraction of the mean are even.</summary>
    public const double UnevenSpacingTolerance = 0.05;
    /// <summary>A stacking direction this far from the normal is gantry tilt.</summary>
    public const double TiltToleranceDegrees = 0.5;
    /// <summary>
    /// No axis of a patient volume is longer than this (mm): a human body is under 2 m. Larger extents come from
    /// corrupt or hostile spacings and would otherwise cost minutes and gigabytes when resampled before failing.
    /// </summary>
    public const double MaxExtentMm = 2000;
    /// <summary>No voxel of a diagnostic CT is wider than this along any axis (mm): clinical pixels are under 2 mm, slices under 10 mm.</summary>
    public const double MaxSpacingMm = 20;

    private DicomStack(string study, string series, string modality, IReadOnlyList<DicomSlice> slices, IReadOnlyList<string> warnings,
        string? rejection, VolumeGeometry? geometry)
    {
        StudyInstanceUid = study;
        SeriesInstanceUid = series;
        Modality = modality;
        Slices = slices;
        Warnings = warnings;
        RejectionReason = rejection;
        Geometry = geometry;
    }

    public string StudyInstanceUid { get; }
    public string SeriesInstanceUid { get; }
    public string Modality { get; }
    /// <summary>In volume order (increasing position along the stacking direction).</summary>
    public IReadOnlyList<DicomSlice> Slices { get; }
    public IReadOnlyList<string> Warnings { get; }
    public string? RejectionReason { get; }
    /// <summary>Grid of the volume (origin = first slice's ImagePositionPatient; spacing from positions); null when rejected.</summary>
    public VolumeGeometry? Geometry { get; }
    public CtAcquisition Acquisition => Slices[0].Acquisition;

    /// <summary>Splits the slices of one series into stacks by orientation and checks each (see the class remarks).</summary>
    public static IEnumerable<DicomStack> Assemble(IReadOnlyList<DicomSlice> seriesSlices)
    {
        var first = seriesSlices[0];
        DicomStack Reject(IReadOnlyList<DicomSlice> slices, string reason, IReadOnlyList<string>? warnings = null) =>
            new(first.StudyInstanceUid, first.SeriesInstanceUid, first.Modality, slices, warnings ?? [], reason, null);

        var withoutGeometry = seriesSlices.Where(s => !s.HasGeometry).ToList();
        if (withoutGeometry.Count > 0)
            yield return Reject(withoutGeometry, $"{withoutGeometry.Count} image(s) without a valid ImagePositionPatient/ImageOrientationPatient (unit, perpendicular cosines) cannot be placed in a volume");

        // Enhanced multi-frame objects name their stacks (Stack ID dimension); within each, orientations still split.
        var stacks = seriesSlices.Where(s => s.HasGeometry).GroupBy(s => s.StackId ?? "", StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        foreach (var stack in stacks)
        {
            var groups = GroupByOrientation(stack.ToList());
            foreach (var group in groups)
            {
                var warnings = new List<string>();
                if (stacks.Count > 1)
                    warnings.Add($"series has {stacks.Count} stacks (Stack ID); stack {stack.Key} is one of them");
                if (groups.Count > 1)
                    warnings.Add($"series has {groups.Count} orientations; split into separate stacks");
                yield return Check(group, warnings, Reject);
            }
        }
    }

    private static List<List<DicomSlice>> GroupByOrientation(List<DicomSlice> slices)
    {
        var cosTolerance = Math.Cos(OrientationToleranceDegrees * Math.PI / 180);
        var groups = new List<List<DicomSlice>>();
        foreach (var slice in slices)
        {
            var group = groups.FirstOrDefault(g =>
                g[0].RowDirection!.Value.Normalized().Dot(slice.RowDirection!.Value.Normalized()) > cosTolerance
                && g[0].ColumnDirection!.Value.Normalized().Dot(slice.ColumnDirection!.Value.Normalized()) > cosTolerance);
            if (group is null)
                groups.Add([slice]);
            else
                group.Add(slice);
        }
        return groups;
    }

    private static DicomStack Check(List<DicomSlice> slices, List<string> warnings, Func<IReadOnlyList<DicomSlice>, string, IReadOnlyList<string>?, DicomStack> reject)
    {
        var first = slices[0];
        var sizes = slices.Select(s => (s.Columns, s.Rows)).Distinct().ToList();
        if (sizes.Count > 1)
            return reject(slices, "inconsistent rows/columns: " + string.Join(", ", sizes.Select(s => $"{s.Columns}×{s.Rows}")), warnings);
        if (first.SamplesPerPixel != 1)
            return reject(slices, $"SamplesPerPixel {first.SamplesPerPixel}: not a greyscale image", warnings);
        var spacings = slices.Select(s => s.PixelSpacing).Distinct().ToList();
        if (spacings.Any(s => s is null))
            return reject(slices, "PixelSpacing (0028,0030) is missing", warnings);
        if (spacings.Any(s => !(s!.Value.X > 0 && s.Value.Y > 0)))
            return reject(slices, "PixelSpacing (0028,0030) must be positive", warnings);
        if (spacings.Count > 1)
            return reject(slices, "inconsistent PixelSpacing: " + string.Join(", ", spacings.Select(s => Mm(s!.Value.Y) + "\\" + Mm(s.Value.X))), warnings);
        if (!string.Equals(first.Modality, "CT", StringComparison.Ordinal))
            warnings.Add($"modality {(first.Modality.Length == 0 ? "missing" : first.Modality)}: values are rescaled stored values, not Hounsfield units");

        var row = first.RowDirection!.Value.Normalized();
        var column = first.ColumnDirection!.Value.Normalized();
        var normal = row.Cross(column);
        var ordered = slices
            .Select(s => (Slice: s, Distance: s.Position!.Value.Dot(normal)))
            .OrderBy(s => s.Distance)
            .ThenBy(s => s.Slice.InstanceNumber ?? int.MaxValue)
            .ThenBy(s => s.Slice.File, StringComparer.Ordinal)
            .ToList();

        var unique = new List<(DicomSlice Slice, double Distance)>();
        var duplicates = 0;
        foreach (var s in ordered)
        {
            if (unique.Count > 0 && Math.Abs(s.Distance - unique[^1].Distance) < DuplicateToleranceMm)
                duplicates++;
            else
                unique.Add(s);
        }
        if (duplicates > 0)
            warnings.Add($"{duplicates} duplicate slice position(s) dropped (kept the lowest InstanceNumber)");

        var (spacingX, spacingY) = first.PixelSpacing!.Value;
        var sortedSlices = unique.Select(s => s.Slice).ToList();
        var size = new Size3(first.Columns, first.Rows, sortedSlices.Count);
        var origin = sortedSlices[0].Position!.Value;
        Vec3 k;
        double spacingZ;
        if (sortedSlices.Count == 1)
        {
            k = normal;
            spacingZ = first.SpacingBetweenSlices ?? first.SliceThickness ?? 1.0;
            warnings.Add($"single slice: z spacing {Mm(spacingZ)} mm from {(first.SpacingBetweenSlices is not null ? "SpacingBetweenSlices" : first.SliceThickness is not null ? "SliceThickness" : "a default")}");
        }
        else
        {
            var span = sortedSlices[^1].Position!.Value - origin;
            spacingZ = span.Length / (sortedSlices.Count - 1);
            k = span.Normalized();
            var tilt = Math.Acos(Math.Clamp(k.Dot(normal), -1, 1)) * 180 / Math.PI;
            if (tilt > TiltToleranceDegrees)
                warnings.Add($"gantry tilt {tilt.ToString("0.0", CultureInfo.InvariantCulture)}°: the volume's k axis follows the slice positions, not the normal");
            if (CheckSteps(unique.Select(s => s.Distance).ToList(), warnings) is { } gap)
                return new DicomStack(first.StudyInstanceUid, first.SeriesInstanceUid, first.Modality, sortedSlices, warnings,
                    "slice positions do not form a regular grid: " + gap, null);
        }
        if (PhysicalSizeProblem(size, spacingX, spacingY, spacingZ) is { } tooLarge)
            return new DicomStack(first.StudyInstanceUid, first.SeriesInstanceUid, first.Modality, sortedSlices, warnings, tooLarge, null);
        var geometry = new VolumeGeometry(size, new Vec3(spacingX, spacingY, spacingZ), origin, new Direction3(row, column, k));
        return new DicomStack(first.StudyInstanceUid, first.SeriesInstanceUid, first.Modality, sortedSlices, warnings, null, geometry);
    }

    /// <summary>
    /// Warns of uneven steps along the normal (the volume then uses the mean step); returns a description of the
    /// first gap — a step of more than 1.5 times the median, e.g. a missing slice — since no regular grid holds
    /// such a stack without misplacing slices.
    /// </summary>
    internal static string? CheckSteps(IReadOnlyList<double> distances, List<string> warnings)
    {
        if (distances.Count < 3)
            return null;
        var steps = distances.Zip(distances.Skip(1), (a, b) => b - a).ToList();
        var sorted = steps.Order().ToList();
        var median = sorted[sorted.Count / 2];
        var mean = steps.Average();
        if (sorted[^1] - sorted[0] > UnevenSpacingTolerance * mean)
            warnings.Add($"uneven slice spacing: steps from {Mm(sorted[0])} to {Mm(sorted[^1])} mm (mean {Mm(mean)} mm)");
        var gap = steps.FindIndex(step => step > 1.5 * median);
        return gap < 0 ? null : $"gap of {Mm(steps[gap])} mm between slices {gap} and {gap + 1} (median step {Mm(median)} mm)";
    }

    /// <summary>Why a grid cannot be a patient (a named rule), or null: spacings and extents against a human body's size, voxels against an array's.</summary>
    internal static string? PhysicalSizeProblem(Size3 size, double spacingX, double spacingY, double spacingZ)
    {
        (string Axis, int Count, double Spacing)[] axes =
            [("column (PixelSpacing[1])", size.X, spacingX), ("row (PixelSpacing[0])", size.Y, spacingY), ("slice step", size.Z, spacingZ)];
        // A single slice's z spacing is nominal (SliceThickness: a scout's "slab" can be 650 mm thick): only a stack's step is a distance.
        foreach (var (axis, count, spacing) in size.Z == 1 ? axes[..2] : axes)
        {
            if (!double.IsFinite(spacing) || spacing > MaxSpacingMm)
                return $"{axis} spacing {Mm(spacing)} mm exceeds {Mm(MaxSpacingMm)} mm, more than any CT voxel";
            if (count * spacing > MaxExtentMm)
                return $"{count} × {Mm(spacing)} mm = {Mm(count * spacing)} mm along the {axis} axis exceeds {Mm(MaxExtentMm)} mm (a human body is under 2 m)";
        }
        if (size.Count > Array.MaxLength)
            return $"{size.X}×{size.Y}×{size.Z} voxels exceed the {Array.MaxLength} one volume can hold";
        return null;
    }

    private static string Mm(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>
    /// What the stack is made of, for cache keys: the slice count and a sha256 over the sorted list of (SOP Instance
    /// UID, frame, file size). A series UID alone does not identify content — a partial transfer screened first would
    /// otherwise decide the result of the complete series later.
    /// </summary>
    public string ContentFingerprint()
    {
        var lines = Slices
            .Select(s => $"{s.SopInstanceUid ?? Path.GetFileName(s.File)}|{s.Frame}|{(File.Exists(s.File) ? new FileInfo(s.File).Length : -1)}")
            .Order(StringComparer.Ordinal);
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        return $"{Slices.Count}-{Convert.ToHexStringLower(hash)[..16]}";
    }

    /// <summary>Reads the pixels of every slice into a volume of rescaled values (HU for CT), slices in parallel.</summary>
    public CtVolume LoadVolume()
    {
        if (RejectionReason is not null || Geometry is null)
            throw new InvalidOperationException($"stack {SeriesInstanceUid} was rejected: {RejectionReason}");
        var geometry = Geometry;
        var voxels = GC.AllocateUninitializedArray<float>(checked((int)geometry.Size.Count));
        var sliceSize = geometry.Size.X * geometry.Size.Y;
        // Each slice that fails is recorded, not thrown: Parallel.For would otherwise glue several files' errors
        // into one AggregateException, and the caller needs one line per bad file.
        var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        Parallel.For(0, Slices.Count, z =>
        {
            var slice = Slices[z];
            try
            {
                var file = DicomFile.Open(slice.File);
                var pixels = DicomPixelData.Create(file.Dataset);
                pixels.ReadRescaledFrame(slice.Frame, voxels.AsSpan(z * sliceSize, sliceSize));
            }
            catch (Exception ex) when (ex is IOException or FormatException or NotSupportedException or UnauthorizedAccessException
                                           or InvalidOperationException or ArgumentException or InsufficientMemoryException)
            {
                var reason = ex.Message.Replace(slice.File + ": ", "", StringComparison.Ordinal);
                failures.TryAdd(slice.File, Slices.Count(s => s.File == slice.File) > 1 ? $"frame {slice.Frame}: {reason}" : reason);
            }
        });
        if (!failures.IsEmpty)
            throw new DicomStackLoadException(SeriesInstanceUid, Slices.Count,
                failures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new DicomScanFailure(f.Key, f.Value)).ToList());
        return new CtVolume(new Volume<float>(geometry, voxels), this);
    }
}
