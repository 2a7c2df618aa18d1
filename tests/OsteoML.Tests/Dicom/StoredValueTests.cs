using System.Runtime.InteropServices;
using CsCheck;
using OsteoML.Dicom;

namespace OsteoML.Tests.Dicom;

/// <summary>PS3.5 §8.1.1 stored values (HighBit, BitsStored, sign) by hand, and the vectorised 16-bit rescale against that rule.</summary>
[TestClass]
public sealed class StoredValueTests
{
    [TestMethod]
    public void Stored_bits_are_taken_below_high_bit_masked_and_sign_extended()
    {
        // 12 bits stored at the top of the word (HighBit 15): 0xFFF0 is −1 signed, 4095 unsigned; the low nibble is noise.
        Assert.AreEqual(-1, DicomPixelData.StoredValue(0xFFF7, shift: 4, bits: 12, signed: true));
        Assert.AreEqual(4095, DicomPixelData.StoredValue(0xFFF7, shift: 4, bits: 12, signed: false));
        // 12 bits at the bottom with overlay bits above (PS3.5 §8.1.1's example): 0xF800 | 0x800 → −2048.
        Assert.AreEqual(-2048, DicomPixelData.StoredValue(0xF800, shift: 0, bits: 12, signed: true));
        Assert.AreEqual(2047, DicomPixelData.StoredValue(0x17FF, shift: 0, bits: 12, signed: true));
        Assert.AreEqual(-1, DicomPixelData.StoredValue(uint.MaxValue, shift: 0, bits: 32, signed: true));
        Assert.AreEqual(uint.MaxValue, DicomPixelData.StoredValue(uint.MaxValue, shift: 0, bits: 32, signed: false));
    }

    [TestMethod]
    public void Vectorised_rescale_agrees_with_the_stored_value_rule()
    {
        var gen =
            from bits in Gen.Int[1, 16]
            from shift in Gen.Int[0, 16 - bits]
            from signed in Gen.Bool
            from slope in Gen.Double[0.25, 4]
            from intercept in Gen.Double[-2048, 2048]
            from raw in Gen.UShort.Array[1, 100]
            select (bits, shift, signed, (float)slope, (float)intercept, raw);
        gen.Sample(t =>
        {
            var (bits, shift, signed, slope, intercept, raw) = t;
            var output = new float[raw.Length];
            DicomPixelData.Rescale16(raw, output, shift, bits, signed, slope, intercept);
            for (var i = 0; i < raw.Length; i++)
            {
                var expected = DicomPixelData.StoredValue(raw[i], shift, bits, signed) * slope + intercept;
                if (output[i] != (float)expected)
                    Assert.Fail($"bits {bits}, shift {shift}, signed {signed}: raw {raw[i]:X4} → {output[i]}, expected {expected}");
            }
        }, iter: 500);
    }
}
