using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace OsteoML.Dicom;

/// <summary>Conversions between an element's value bytes (little endian) and typed values, by VR (PS3.5 §6.2).</summary>
internal static class DicomValues
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The text of a string VR without its padding (trailing spaces and NULs; leading spaces too where they are insignificant).</summary>
    public static string DecodeText(DicomVR vr, ReadOnlySpan<byte> bytes, Encoding characterSet)
    {
        var encoding = vr.UsesSpecificCharacterSet ? characterSet : DicomCharacterSet.Default;
        var end = bytes.Length;
        while (end > 0 && (bytes[end - 1] == 0 || bytes[end - 1] == (byte)' '))
            end--;
        var text = encoding.GetString(bytes[..end]);
        return vr == DicomVR.LT || vr == DicomVR.ST || vr == DicomVR.UT ? text : text.TrimStart(' ');
    }

    public static string[] SplitText(DicomVR vr, string text)
    {
        if (text.Length == 0)
            return [];
        if (!vr.IsMultiValued)
            return [text];
        var parts = text.Split('\\');
        for (var i = 0; i < parts.Length; i++)
            parts[i] = parts[i].Trim(' ', '\0');
        return parts;
    }

    /// <summary>The values of an element converted to <typeparamref name="T"/>.</summary>
    public static T[] Get<T>(DicomElement element, Encoding characterSet)
    {
        var vr = element.VR;
        var bytes = element.Buffer.Data.Span;
        if (vr.IsString)
        {
            var parts = SplitText(vr, DecodeText(vr, bytes, characterSet));
            if (typeof(T) == typeof(string))
                return (T[])(object)parts;
            var result = new T[parts.Length];
            for (var i = 0; i < parts.Length; i++)
                result[i] = ParseText<T>(element, parts[i]);
            return result;
        }
        if (typeof(T) == typeof(byte) && (vr == DicomVR.OB || vr == DicomVR.UN))
            return (T[])(object)bytes.ToArray();
        if (vr == DicomVR.AT)
        {
            var tags = new DicomTag[bytes.Length / 4];
            for (var i = 0; i < tags.Length; i++)
                tags[i] = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(4 * i)..]), BinaryPrimitives.ReadUInt16LittleEndian(bytes[(4 * i + 2)..]));
            return typeof(T) == typeof(DicomTag) ? (T[])(object)tags : Array.ConvertAll(tags, t => ConvertTo<T>(element, t.ToString()));
        }
        var unit = vr.UnitSize;
        var values = new T[bytes.Length / unit];
        for (var i = 0; i < values.Length; i++)
            values[i] = ConvertTo<T>(element, ReadBinary(vr, bytes.Slice(i * unit, unit)));
        return values;
    }

    // Each arm boxed on its own: a switch expression would otherwise convert every arm to double.
    private static object ReadBinary(DicomVR vr, ReadOnlySpan<byte> b) => vr.Code switch
    {
        "US" or "OW" => (object)BinaryPrimitives.ReadUInt16LittleEndian(b),
        "SS" => (object)BinaryPrimitives.ReadInt16LittleEndian(b),
        "UL" or "OL" => (object)BinaryPrimitives.ReadUInt32LittleEndian(b),
        "SL" => (object)BinaryPrimitives.ReadInt32LittleEndian(b),
        "FL" or "OF" => (object)BinaryPrimitives.ReadSingleLittleEndian(b),
        "FD" or "OD" => (object)BinaryPrimitives.ReadDoubleLittleEndian(b),
        "SV" => (object)BinaryPrimitives.ReadInt64LittleEndian(b),
        "UV" or "OV" => (object)BinaryPrimitives.ReadUInt64LittleEndian(b),
        _ => (object)b[0], // OB, UN
    };

    private static T ParseText<T>(DicomElement element, string text)
    {
        if (typeof(T) == typeof(DicomTag))
            return (T)(object)DicomTag.Parse(text);
        // The common case (DS read as double) without boxing: headers are read in bulk when scanning folders.
        if (typeof(T) == typeof(double) && double.TryParse(text, NumberStyles.Float, Invariant, out var direct))
            return System.Runtime.CompilerServices.Unsafe.As<double, T>(ref direct);
        // IS and DS hold decimal text; integers parse exactly, everything else through double.
        if (long.TryParse(text, NumberStyles.Integer, Invariant, out var integer))
            return ConvertTo<T>(element, integer);
        if (double.TryParse(text, NumberStyles.Float, Invariant, out var real))
            return ConvertTo<T>(element, real);
        throw new FormatException($"{element.Tag} {element.VR}: value '{Printable(text)}' is not a {typeof(T).Name}.");
    }

    private static T ConvertTo<T>(DicomElement element, object value)
    {
        if (value is T same)
            return same;
        try
        {
            if (typeof(T) == typeof(string))
                return (T)(object)Convert.ToString(value, Invariant)!;
            if (value is double d && (typeof(T) == typeof(int) || typeof(T) == typeof(long) || typeof(T) == typeof(short) || typeof(T) == typeof(ushort) || typeof(T) == typeof(uint)))
            {
                if (d != Math.Round(d))
                    throw new FormatException($"{element.Tag} {element.VR}: value {d.ToString(Invariant)} is not an integer.");
            }
            return (T)Convert.ChangeType(value, typeof(T), Invariant);
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException)
        {
            throw new FormatException($"{element.Tag} {element.VR}: value {Printable(Convert.ToString(value, Invariant) ?? "")} cannot be read as {typeof(T).Name}.", ex);
        }
    }

    /// <summary>Text from a file made safe for a one-line message: control characters become '?', at most 64 characters.</summary>
    public static string Printable(string text)
    {
        var chars = text.Length > 64 ? text[..64].ToCharArray() : text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]))
                chars[i] = '?';
        }
        return new string(chars) + (text.Length > 64 ? "…" : "");
    }

    /// <summary>Encodes values for a VR: text joined with backslashes, binary values little endian; padded to even length.</summary>
    public static byte[] Encode<T>(DicomTag tag, DicomVR vr, IReadOnlyList<T> values, Encoding characterSet)
    {
        if (vr == DicomVR.SQ)
            throw new ArgumentException($"{tag}: a sequence holds items, not values; add a DicomSequence.");
        if (vr.IsString)
        {
            var text = string.Join('\\', values.Select(v => FormatText(vr, v)));
            var encoding = vr.UsesSpecificCharacterSet ? characterSet : Encoding.ASCII;
            var bytes = encoding.GetBytes(text);
            return PadToEven(bytes, vr.PaddingByte);
        }
        if (values is IReadOnlyList<byte> raw && (vr == DicomVR.OB || vr == DicomVR.UN))
            return PadToEven([.. raw], 0);
        if (vr == DicomVR.AT)
        {
            var at = new byte[values.Count * 4];
            for (var i = 0; i < values.Count; i++)
            {
                var t = values[i] is DicomTag dt ? dt : throw new ArgumentException($"{tag} AT: values must be DicomTag, got {typeof(T).Name}.");
                BinaryPrimitives.WriteUInt16LittleEndian(at.AsSpan(4 * i), t.Group);
                BinaryPrimitives.WriteUInt16LittleEndian(at.AsSpan(4 * i + 2), t.Element);
            }
            return at;
        }
        var unit = vr.UnitSize;
        var result = new byte[values.Count * unit];
        for (var i = 0; i < values.Count; i++)
            WriteBinary(tag, vr, values[i], result.AsSpan(i * unit, unit));
        return PadToEven(result, 0);
    }

    private static void WriteBinary<T>(DicomTag tag, DicomVR vr, T value, Span<byte> b)
    {
        object v = value!;
        try
        {
            switch (vr.Code)
            {
                case "US" or "OW": BinaryPrimitives.WriteUInt16LittleEndian(b, Convert.ToUInt16(v, Invariant)); break;
                case "SS": BinaryPrimitives.WriteInt16LittleEndian(b, Convert.ToInt16(v, Invariant)); break;
                case "UL" or "OL": BinaryPrimitives.WriteUInt32LittleEndian(b, Convert.ToUInt32(v, Invariant)); break;
                case "SL": BinaryPrimitives.WriteInt32LittleEndian(b, Convert.ToInt32(v, Invariant)); break;
                case "FL" or "OF": BinaryPrimitives.WriteSingleLittleEndian(b, Convert.ToSingle(v, Invariant)); break;
                case "FD" or "OD": BinaryPrimitives.WriteDoubleLittleEndian(b, Convert.ToDouble(v, Invariant)); break;
                case "SV": BinaryPrimitives.WriteInt64LittleEndian(b, Convert.ToInt64(v, Invariant)); break;
                case "UV" or "OV": BinaryPrimitives.WriteUInt64LittleEndian(b, Convert.ToUInt64(v, Invariant)); break;
                default: b[0] = Convert.ToByte(v, Invariant); break;
            }
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException or FormatException)
        {
            throw new ArgumentException($"{tag} {vr}: value {v} does not fit the VR.", ex);
        }
    }

    private static string FormatText<T>(DicomVR vr, T value) => value switch
    {
        null => "",
        string s => s,
        double d when vr == DicomVR.DS => FormatDecimalString(d),
        float f when vr == DicomVR.DS => FormatDecimalString(f),
        decimal m when vr == DicomVR.DS => FormatDecimalString((double)m),
        DicomTag t => $"{t.Group:X4}{t.Element:X4}",
        IFormattable f => f.ToString(null, Invariant),
        _ => value.ToString() ?? "",
    };

    /// <summary>A DS value in at most 16 characters (PS3.5 Table 6.2-1), the shortest text that rounds back when it fits.</summary>
    public static string FormatDecimalString(double value)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"DS cannot hold {value}.");
        var text = value.ToString("R", Invariant);
        for (var digits = 15; text.Length > 16 && digits > 0; digits--)
            text = value.ToString("G" + digits, Invariant);
        return text;
    }

    private static byte[] PadToEven(byte[] bytes, byte padding)
    {
        if ((bytes.Length & 1) == 0)
            return bytes;
        var padded = new byte[bytes.Length + 1];
        bytes.CopyTo(padded, 0);
        padded[^1] = padding;
        return padded;
    }
}
