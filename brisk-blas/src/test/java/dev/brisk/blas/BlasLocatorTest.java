package dev.brisk.blas;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search and its messages; runs with or without OpenBLAS installed. */
class BlasLocatorTest {

    @TempDir
    Path dir;

    private static String unavailable(BlasLocator.Result r) {
        return assertInstanceOf(BlasLocator.Result.Unavailable.class, r).reason();
    }

    @Test
    void explicitMissingFileNamesThePathAndIsNotReplacedByAStandardOne() {
        String missing = dir.resolve("nope/libopenblas.so.0").toString();
        String why = unavailable(BlasLocator.locate(missing, BlasLocator.STANDARD_CANDIDATES, BlasLibrary::load));
        assertTrue(why.contains("BRISK_BLAS_LIB=" + missing), why);
        assertTrue(why.contains("no such file"), why);
    }

    @Test
    void explicitDirectoryIsNotARegularFile() {
        String why = unavailable(BlasLocator.locate(dir.toString(), List.of(), BlasLibrary::load));
        assertTrue(why.contains(dir.toString()) && why.contains("not a regular file"), why);
    }

    @Test
    void explicitFileThatIsNotALibraryIsUnloadable() throws IOException {
        Path junk = Files.writeString(dir.resolve("libjunk.so"), "not an ELF file");
        String why = unavailable(BlasLocator.locate(junk.toString(), List.of(), BlasLibrary::load));
        assertTrue(why.contains(junk.toAbsolutePath().toString()), why);
        assertTrue(why.contains("could not be loaded"), why);
    }

    @Test
    void libraryWithoutCblasIsRejected() {
        // libm is on every Linux machine and exports no cblas_sgemm.
        String why = unavailable(BlasLocator.locate(null, List.of("libm.so.6"), BlasLibrary::load));
        assertTrue(why.contains("libm.so.6") && why.contains("cblas_sgemm"), why);
    }

    @Test
    void nothingFoundListsWhatWasTriedAndHowToGetIt() {
        String absent = dir.resolve("libopenblas.so.0").toString();
        String why = unavailable(BlasLocator.locate(" ", List.of("libbrisk-no-such-blas.so.0", absent),
                BlasLibrary::load));
        assertTrue(why.contains("libbrisk-no-such-blas.so.0") && why.contains(absent + " (no such file)"), why);
        assertTrue(why.contains("apt-get install libopenblas0-pthread") && why.contains("BRISK_BLAS_LIB"), why);
    }

    @Test
    void firstLoadableCandidateWins() throws IOException {
        Path present = Files.writeString(dir.resolve("libfake.so"), "");
        BlasLibrary fake = new BlasLibrary(present.toString(), null, null, null, "");
        BlasLocator.Result r = BlasLocator.locate(null, List.of(dir.resolve("absent.so").toString(),
                present.toString()), location -> fake);
        assertInstanceOf(BlasLocator.Result.Found.class, r);
    }
}
