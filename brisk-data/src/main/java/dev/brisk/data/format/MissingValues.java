package dev.brisk.data.format;

/**
 * What to do with an empty feature cell (or one reading NA, N/A, NaN, null or ?, in any case). A missing label
 * is an error unless the policy is {@link #DROP_ROW}: labels are never imputed.
 */
public enum MissingValues {
    /** Fail, naming the line and column. */
    ERROR,
    /** Skip the whole row. */
    DROP_ROW,
    /** Use 0. */
    ZERO,
    /** Use the mean of the column's present values. */
    COLUMN_MEAN
}
