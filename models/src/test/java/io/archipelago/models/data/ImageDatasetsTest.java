package io.archipelago.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDatasetsTest {
    @TempDir
    Path dir;

    @Test
    void fashionMnistWithADirectory() {
        ImageDataset d = ImageDatasets.open("fashion-mnist:" + TestData.sampleDir());
        assertInstanceOf(FashionMnist.class, d);
        assertEquals(64, d.size());
    }

    @Test
    void fashionMnistDefaultDirectory() {
        if (Files.isDirectory(FashionMnist.DEFAULT_DIR)) {
            assertEquals(10_000, ImageDatasets.open("fashion-mnist").size());
        } else {
            DatasetFormatException e =
                    assertThrows(DatasetFormatException.class, () -> ImageDatasets.open("fashion-mnist"));
            assertTrue(e.getMessage().contains("install-datasets.sh"), e.getMessage());
        }
        DatasetFormatException e = assertThrows(
                DatasetFormatException.class, () -> ImageDatasets.open("fashion-mnist:" + dir.resolve("absent")));
        assertTrue(e.getMessage().contains("install-datasets.sh"), e.getMessage());
    }

    @Test
    void cifar10WithFilesOrADirectory() throws IOException {
        Path a = TestData.write(dir, "data_batch_1.bin", new byte[2 * 3073]);
        Path b = TestData.write(dir, "test_batch.bin", new byte[3 * 3073]);
        assertEquals(2, ImageDatasets.open("cifar10:" + a).size());
        ImageDataset both = ImageDatasets.open("cifar10:" + a + "," + b);
        assertInstanceOf(Cifar10Binary.class, both);
        assertEquals(5, both.size());
        assertEquals(5, ImageDatasets.open("cifar10:" + dir).size());
        assertThrows(IllegalArgumentException.class, () -> ImageDatasets.open("cifar10"));
    }

    @Test
    void gaussian() {
        ImageDataset g = ImageDatasets.open("gaussian");
        assertInstanceOf(GaussianNoise.class, g);
        assertEquals(0L, ((GaussianNoise) g).seed());
        assertEquals(42L, ((GaussianNoise) ImageDatasets.open(" gaussian:42 ")).seed());
        assertThrows(IllegalArgumentException.class, () -> ImageDatasets.open("gaussian:x"));
    }

    @Test
    void unknownSpecsListTheValidForms() {
        for (String spec : new String[] {"mnist", "imagenet:/data", "", "fashion-mnist:"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageDatasets.open(spec));
            for (String form : new String[] {"fashion-mnist", "fashion-mnist:DIR", "cifar10:PATH", "gaussian"}) {
                assertTrue(e.getMessage().contains(form), "'" + e.getMessage() + "' lacks " + form);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ImageDatasets.open(null));
    }
}
