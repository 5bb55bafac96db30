/// Small numeric kernels for the per-bin loops of the analysis, written so the optimiser turns them into
/// vector code: no calls into libm, and sums kept in eight independent partial sums (a single running
/// sum is a dependency chain the compiler may not reorder).
enum VectorMath {
    /// The natural logarithm of a positive, normal `x`, to about 1e-7 relative: the exponent from the
    /// bits, the mantissa reduced to [√½, √2) and `ln m = 2·atanh((m - 1) / (m + 1))` from its series to
    /// the 7th power. Zero, negatives, subnormals, infinities and NaN give meaningless results.
    @inline(__always)
    static func log(_ x: Float) -> Float {
        let bits = x.bitPattern
        let large = (bits & 0x007F_FFFF) > 0x0035_04F3  // the mantissa is above √2
        let exponent = Float(Int32(bitPattern: bits >> 23) &- (large ? 126 : 127))
        let mantissa = Float(bitPattern: (bits & 0x007F_FFFF) | (large ? 0x3F00_0000 : 0x3F80_0000))
        let t = (mantissa - 1) / (mantissa + 1)
        let t2 = t * t
        let series = 2 * t * (1 + t2 * (1.0 / 3 + t2 * (1.0 / 5 + t2 * (1.0 / 7))))
        return exponent * 0.693_147_18 + series
    }

    /// √x for `x` ≥ 0 (0 for 0, and below 1e-15 for x below 1e-30), to about 1e-7 relative: `x · 1/√x`, the reciprocal root from the bits
    /// (Lomont, "Fast inverse square root", 2003) and three Newton steps. Unlike `squareRoot()`, which on
    /// Linux keeps C's errno path for negative input, it vectorises.
    @inline(__always)
    static func squareRoot(_ x: Float) -> Float {
        let positive = x > 1e-30 ? x : 1e-30
        var y = Float(bitPattern: 0x5F37_5A86 &- (positive.bitPattern >> 1))
        let half = 0.5 * positive
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        // Infinity stays infinity (its reciprocal root would not converge).
        return x < .infinity ? x * y : x
    }

    /// `output[i] = log(max(offset + scale · input[i], 1e-12))` for `i` in `0..<count`.
    @inline(__always)
    static func logs(
        of input: UnsafePointer<Float>, scale: Float = 1, offset: Float = 0, into output: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        for index in 0..<count {
            let value = offset + scale * input[index]
            output[index] = log(value > 1e-12 ? value : 1e-12)
        }
    }

    /// The sum of `values[range]`.
    @inline(__always)
    static func sum(_ values: UnsafePointer<Float>, _ range: Range<Int>) -> Float {
        var partial = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
        var index = range.lowerBound
        while index + 8 <= range.upperBound {
            partial.0 += values[index]
            partial.1 += values[index + 1]
            partial.2 += values[index + 2]
            partial.3 += values[index + 3]
            partial.4 += values[index + 4]
            partial.5 += values[index + 5]
            partial.6 += values[index + 6]
            partial.7 += values[index + 7]
            index += 8
        }
        var total = ((partial.0 + partial.1) + (partial.2 + partial.3)) + ((partial.4 + partial.5) + (partial.6 + partial.7))
        while index < range.upperBound {
            total += values[index]
            index += 1
        }
        return total
    }

    /// The sum of `a[i] · b[i]` for `i` in `0..<count`.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var partial = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
        var index = 0
        while index + 8 <= count {
            partial.0 += a[index] * b[index]
            partial.1 += a[index + 1] * b[index + 1]
            partial.2 += a[index + 2] * b[index + 2]
            partial.3 += a[index + 3] * b[index + 3]
            partial.4 += a[index + 4] * b[index + 4]
            partial.5 += a[index + 5] * b[index + 5]
            partial.6 += a[index + 6] * b[index + 6]
            partial.7 += a[index + 7] * b[index + 7]
            index += 8
        }
        var total = ((partial.0 + partial.1) + (partial.2 + partial.3)) + ((partial.4 + partial.5) + (partial.6 + partial.7))
        while index < count {
            total += a[index] * b[index]
            index += 1
        }
        return total
    }

    /// The largest absolute value of `values[range]`, 0 when it is empty.
    @inline(__always)
    static func maximumMagnitude(_ values: UnsafePointer<Float>, _ range: Range<Int>) -> Float {
        var partial = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
        var index = range.lowerBound
        @inline(__always) func larger(_ a: Float, _ b: Float) -> Float { a > b ? a : b }
        while index + 8 <= range.upperBound {
            partial.0 = larger(partial.0, abs(values[index]))
            partial.1 = larger(partial.1, abs(values[index + 1]))
            partial.2 = larger(partial.2, abs(values[index + 2]))
            partial.3 = larger(partial.3, abs(values[index + 3]))
            partial.4 = larger(partial.4, abs(values[index + 4]))
            partial.5 = larger(partial.5, abs(values[index + 5]))
            partial.6 = larger(partial.6, abs(values[index + 6]))
            partial.7 = larger(partial.7, abs(values[index + 7]))
            index += 8
        }
        var result = larger(
            larger(larger(partial.0, partial.1), larger(partial.2, partial.3)),
            larger(larger(partial.4, partial.5), larger(partial.6, partial.7)))
        while index < range.upperBound {
            result = larger(result, abs(values[index]))
            index += 1
        }
        return result
    }
}
