using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace OsteoML.Imaging.Nifti;

/// <summary>
/// NIfTI-1 single-file images (<c>.nii</c>, or gzip-compressed <c>.nii.gz</c>) with their patient geometry.
/// NIfTI's world space is RAS (x to the patient's right-to-left is negated: +x = Right→Left is −x), ours is
/// DICOM LPS, so the affine written is diag(−1, −1, 1) · (our LPS affine); reading applies the same flip back.
/// Both the sform and, when the axes are orthonormal, the qform carry the affine (codes 1, scanner anatomical),
/// so readers that trust either (nibabel, ITK, 3D Slicer, FSL) place the voxels identically.
/// </summary>
public static class NiftiFile
{
    private const int HeaderSize = 348;
    private const int VoxOffset = 352; // header + the 4-byte extension flag (no extensions)

    /// <summary>Writes <paramref name="volume"/>; a path ending in <c>.gz</c> is gzip-compressed. Output is
    /// byte-identical for identical input (no timestamps are written).</summary>
    public static void Write<T>(string path, Volume<T> volume, string description = "") where T : unmanaged
    {
        using var file = File.Create(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var gzip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
            Write(gzip, volume, description);
        }
        else
        {
            Write(file, volume, description);
        }
    }

    /// <summary>Writes the uncompressed .nii byte stream (header, empty extension flag, voxels) to <paramref name="stream"/>.</summary>
    public static void Write<T>(Stream stream, Volume<T> volume, string description = "") where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Writing NIfTI needs a little-endian machine.");
        var header = new byte[VoxOffset];
        var type = NiftiDataTypes.Of<T>();
        var g = volume.Geometry;
        var h = header.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(h, HeaderSize);
        h[38] = (byte)'r';
        WriteShort(h, 40, 3);
        WriteShort(h, 42, checked((short)g.Size.X));
        WriteShort(h, 44, checked((short)g.Size.Y));
        WriteShort(h, 46, checked((short)g.Size.Z));
        for (var i = 4; i < 8; i++)
            WriteShort(h, 40 + 2 * i, 1);
        WriteShort(h, 70, (short)type);
        WriteShort(h, 72, (short)(8 * NiftiDataTypes.BytesPerVoxel(type)));

        var affine = RasAffine(g);
        var q = Quaternion.FromAffine(affine, g.Spacing);
        WriteFloat(h, 76, q?.Qfac ?? 1f);
        WriteFloat(h, 80, (float)g.Spacing.X);
        WriteFloat(h, 84, (float)g.Spacing.Y);
        WriteFloat(h, 88, (float)g.Spacing.Z);
        WriteFloat(h, 108, VoxOffset);
        WriteFloat(h, 112, 1f); // scl_slope: values are stored as they are
        h[123] = 2; // xyzt_units: NIFTI_UNITS_MM
        Encoding.ASCII.GetBytes(description.Length > 79 ? description[..79] : description).CopyTo(h[148..]);

        const short scannerAnatomical = 1; // NIFTI_XFORM_SCANNER_ANAT
        if (q is { } quaternion)
        {
            WriteShort(h, 252, scannerAnatomical);
            WriteFloat(h, 256, quaternion.B);
            WriteFloat(h, 260, quaternion.C);
            WriteFloat(h, 264, quaternion.D);
            WriteFloat(h, 268, (float)affine[0, 3]);
            WriteFloat(h, 272, (float)affine[1, 3]);
            WriteFloat(h, 276, (float)affine[2, 3]);
        }
        WriteShort(h, 254, scannerAnatomical);
        for (var row = 0; row < 3; row++)
            for (var col = 0; col < 4; col++)
                WriteFloat(h, 280 + 16 * row + 4 * col, (float)affine[row, col]);
        "n+1\0"u8.CopyTo(h[344..]);

        stream.Write(header);
        stream.Write(MemoryMarshal.AsBytes(volume.Voxels.AsSpan()));
    }

    /// <summary>Reads a .nii or .nii.gz file (compression detected from its first bytes, either byte order).</summary>
    public static NiftiImage Read(string path)
    {
        byte[] raw;
        using (var file = File.OpenRead(path))
        {
            var magic = new byte[2];
            var isGzip = file.Read(magic, 0, 2) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            file.Position = 0;
            using var source = isGzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
            using var buffer = new MemoryStream();
            try
            {
                source.CopyTo(buffer);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{path}: corrupt gzip stream ({ex.Message}).", ex);
            }
            raw = buffer.ToArray();
        }
        return Parse(raw, path);
    }

    private static NiftiImage Parse(byte[] raw, string path)
    {
        if (raw.Length < HeaderSize)
            throw new InvalidDataException($"{path}: {raw.Length} bytes is too short for a NIfTI-1 header ({HeaderSize}).");
        var h = new HeaderReader(raw, path);
        var magic = Encoding.ASCII.GetString(raw, 344, 3);
        if (magic != "n+1")
            throw new InvalidDataException($"{path}: magic '{magic}' is not a single-file NIfTI-1 image ('n+1').");

        var rank = h.Short(40);
        if (rank is < 1 or > 7)
            throw new InvalidDataException($"{path}: dim[0] = {rank} is outside 1..7.");
        var dims = new int[7];
        for (var i = 0; i < 7; i++)
            dims[i] = i < rank ? h.Short(42 + 2 * i) : 1;
        if (dims.Take(3).Any(d => d < 1))
            throw new InvalidDataException($"{path}: dim[1..3] = {dims[0]}, {dims[1]}, {dims[2]} must be positive.");
        if (dims.Skip(3).Any(d => d != 1))
            throw new NotSupportedException($"{path}: {rank}-dimensional images (dim = {string.Join(", ", dims.Take(rank))}) are not supported; only 3D volumes.");

        var type = (NiftiDataType)h.Short(70);
        var bytesPerVoxel = NiftiDataTypes.BytesPerVoxel(type);
        var size = new Size3(dims[0], dims[1], dims[2]);
        var offset = (long)h.Float(108);
        var byteCount = size.Count * bytesPerVoxel;
        if (offset < HeaderSize || offset + byteCount > raw.LongLength)
            throw new InvalidDataException($"{path}: needs {byteCount} voxel bytes from offset {offset}, the file has {raw.LongLength}.");

        var data = raw.AsSpan((int)offset, (int)byteCount).ToArray();
        if (h.SwapBytes)
            SwapInPlace(data, bytesPerVoxel);

        var slope = h.Float(112);
        var intercept = h.Float(116);
        return new NiftiImage(ReadGeometry(h, size), type, data, slope, intercept);
    }

    /// <summary>Geometry from the sform when set, else the qform, else the voxel sizes alone (ANALYZE 7.5 method).</summary>
    private static VolumeGeometry ReadGeometry(HeaderReader h, Size3 size)
    {
        var pixdim = new Vec3(Math.Abs(h.Float(80)), Math.Abs(h.Float(84)), Math.Abs(h.Float(88)));
        if (pixdim.X <= 0 || pixdim.Y <= 0 || pixdim.Z <= 0)
            pixdim = Vec3.One;
        double[,] ras;
        if (h.Short(254) > 0)
        {
            ras = new double[3, 4];
            for (var row = 0; row < 3; row++)
                for (var col = 0; col < 4; col++)
                    ras[row, col] = h.Float(280 + 16 * row + 4 * col);
        }
        else if (h.Short(252) > 0)
        {
            var qfac = h.Float(76) < 0 ? -1f : 1f;
            ras = new Quaternion(h.Float(256), h.Float(260), h.Float(264), qfac)
                .ToAffine(pixdim, new Vec3(h.Float(268), h.Float(272), h.Float(276)));
        }
        else
        {
            ras = new double[3, 4] { { pixdim.X, 0, 0, 0 }, { 0, pixdim.Y, 0, 0 }, { 0, 0, pixdim.Z, 0 } };
        }

        // RAS → LPS, then split each column into spacing × unit direction.
        var columns = new Vec3[3];
        var spacing = new double[3];
        for (var col = 0; col < 3; col++)
        {
            var c = new Vec3(-ras[0, col], -ras[1, col], ras[2, col]);
            spacing[col] = c.Length;
            if (spacing[col] <= 0)
                throw new InvalidDataException($"{h.Path}: the affine's column {col} is zero.");
            columns[col] = c / spacing[col];
        }
        var origin = new Vec3(-ras[0, 3], -ras[1, 3], ras[2, 3]);
        return new VolumeGeometry(size, new Vec3(spacing[0], spacing[1], spacing[2]), origin,
            new Direction3(columns[0], columns[1], columns[2]));
    }

    /// <summary>The 3×4 voxel-to-RAS affine of <paramref name="g"/>.</summary>
    internal static double[,] RasAffine(VolumeGeometry g)
    {
        var a = new double[3, 4];
        for (var col = 0; col < 3; col++)
        {
            var c = g.Direction[col] * g.Spacing[col];
            a[0, col] = -c.X;
            a[1, col] = -c.Y;
            a[2, col] = c.Z;
        }
        a[0, 3] = -g.Origin.X;
        a[1, 3] = -g.Origin.Y;
        a[2, 3] = g.Origin.Z;
        return a;
    }

    private static void SwapInPlace(byte[] data, int width)
    {
        if (width == 1)
            return;
        for (var i = 0; i < data.Length; i += width)
            Array.Reverse(data, i, width);
    }

    private static void WriteShort(Span<byte> h, int offset, short value) => BinaryPrimitives.WriteInt16LittleEndian(h[offset..], value);
    private static void WriteFloat(Span<byte> h, int offset, float value) => BinaryPrimitives.WriteSingleLittleEndian(h[offset..], value);

    /// <summary>Reads header fields in the file's byte order (sizeof_hdr = 348 tells which).</summary>
    private sealed class HeaderReader
    {
        private readonly byte[] _raw;

        public HeaderReader(byte[] raw, string path)
        {
            _raw = raw;
            Path = path;
            var little = BinaryPrimitives.ReadInt32LittleEndian(raw);
            var big = BinaryPrimitives.ReadInt32BigEndian(raw);
            SwapBytes = little != HeaderSize;
            if (little != HeaderSize && big != HeaderSize)
                throw new InvalidDataException($"{path}: sizeof_hdr is {little}, not {HeaderSize}: not a NIfTI-1 file.");
        }

        public string Path { get; }
        public bool SwapBytes { get; }

        public short Short(int offset) => SwapBytes
            ? BinaryPrimitives.ReadInt16BigEndian(_raw.AsSpan(offset))
            : BinaryPrimitives.ReadInt16LittleEndian(_raw.AsSpan(offset));

        public float Float(int offset) => SwapBytes
            ? BinaryPrimitives.ReadSingleBigEndian(_raw.AsSpan(offset))
            : BinaryPrimitives.ReadSingleLittleEndian(_raw.AsSpan(offset));
    }

    /// <summary>The qform rotation as NIfTI stores it: quaternion (b, c, d) with a ≥ 0, and qfac = ±1 for the handedness.</summary>
    internal readonly record struct Quaternion(float B, float C, float D, float Qfac)
    {
        /// <summary>Null when the affine's columns are not orthogonal (a sheared grid): only the sform can hold it.</summary>
        public static Quaternion? FromAffine(double[,] affine, Vec3 spacing)
        {
            var r = new double[3, 3];
            for (var col = 0; col < 3; col++)
                for (var row = 0; row < 3; row++)
                    r[row, col] = affine[row, col] / spacing[col];
            var direction = new Direction3(Column(r, 0), Column(r, 1), Column(r, 2));
            if (!direction.IsOrthonormal(1e-5))
                return null;
            var qfac = 1f;
            if (direction.Determinant < 0)
            {
                qfac = -1f;
                for (var row = 0; row < 3; row++)
                    r[row, 2] = -r[row, 2];
            }

            // nifti1_io.c nifti_mat44_to_quatern: the largest of the four candidates keeps the division stable.
            double a = r[0, 0] + r[1, 1] + r[2, 2] + 1, b, c, d;
            if (a > 0.5)
            {
                a = 0.5 * Math.Sqrt(a);
                b = 0.25 * (r[2, 1] - r[1, 2]) / a;
                c = 0.25 * (r[0, 2] - r[2, 0]) / a;
                d = 0.25 * (r[1, 0] - r[0, 1]) / a;
            }
            else
            {
                var xd = 1.0 + r[0, 0] - (r[1, 1] + r[2, 2]);
                var yd = 1.0 + r[1, 1] - (r[0, 0] + r[2, 2]);
                var zd = 1.0 + r[2, 2] - (r[0, 0] + r[1, 1]);
                if (xd > 1.0)
                {
                    b = 0.5 * Math.Sqrt(xd);
                    c = 0.25 * (r[0, 1] + r[1, 0]) / b;
                    d = 0.25 * (r[0, 2] + r[2, 0]) / b;
                    a = 0.25 * (r[2, 1] - r[1, 2]) / b;
                }
                else if (yd > 1.0)
                {
                    c = 0.5 * Math.Sqrt(yd);
                    b = 0.25 * (r[0, 1] + r[1, 0]) / c;
                    d = 0.25 * (r[1, 2] + r[2, 1]) / c;
                    a = 0.25 * (r[0, 2] - r[2, 0]) / c;
                }
                else
                {
                    d = 0.5 * Math.Sqrt(zd);
                    b = 0.25 * (r[0, 2] + r[2, 0]) / d;
                    c = 0.25 * (r[1, 2] + r[2, 1]) / d;
                    a = 0.25 * (r[1, 0] - r[0, 1]) / d;
                }
                if (a < 0)
                {
                    b = -b;
                    c = -c;
                    d = -d;
                }
            }
            return new Quaternion((float)b, (float)c, (float)d, qfac);
        }

        public double[,] ToAffine(Vec3 pixdim, Vec3 offset)
        {
            double b = B, c = C, d = D;
            var a = 1.0 - (b * b + c * c + d * d);
            a = a < 1e-7 ? 0 : Math.Sqrt(a);
            var r = new double[3, 3]
            {
                { a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c) },
                { 2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b) },
                { 2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b },
            };
            var affine = new double[3, 4];
            for (var row = 0; row < 3; row++)
            {
                affine[row, 0] = r[row, 0] * pixdim.X;
                affine[row, 1] = r[row, 1] * pixdim.Y;
                affine[row, 2] = r[row, 2] * pixdim.Z * Qfac;
            }
            affine[0, 3] = offset.X;
            affine[1, 3] = offset.Y;
            affine[2, 3] = offset.Z;
            return affine;
        }

        private static Vec3 Column(double[,] m, int col) => new(m[0, col], m[1, col], m[2, col]);
    }
}
