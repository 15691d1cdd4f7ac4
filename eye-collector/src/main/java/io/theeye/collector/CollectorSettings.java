package io.theeye.collector;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where settings come from besides the command line: environment variables and a config file. A flag
 * wins over an environment variable, which wins over the file, which wins over the built-in default.
 *
 * <p>The config file is a Java properties file whose keys are the flags' long names without the
 * dashes ({@code port=9000}, {@code queue-capacity=20000}); application keys are {@code app} and any
 * {@code app.<suffix>} ({@code app.shop=shop:shop-key-1:SECRET}). The environment variable of a flag is
 * {@code EYE_} plus the key in upper case with {@code -} as {@code _} ({@code EYE_QUEUE_CAPACITY});
 * application keys are {@code EYE_APP} and any {@code EYE_APP_<SUFFIX>}.
 */
public final class CollectorSettings {

  /** The prefix of every environment variable: {@value}. */
  public static final String ENV_PREFIX = "EYE_";

  /** The config-file key and environment-variable stem of application keys: {@value}. */
  public static final String APP_KEY = "app";

  private final Map<String, String> file;
  private final Map<String, String> env;
  private final String fileName;

  private CollectorSettings(Map<String, String> file, Map<String, String> env, String fileName) {
    this.file = file;
    this.env = env;
    this.fileName = fileName;
  }

  /**
   * Reads the config file (if any) and keeps the environment.
   *
   * @param configFile the {@code --config} file, or {@code null}
   * @param env the process environment
   * @param knownKeys the keys a file may hold besides {@code app} and {@code app.*}
   * @throws IllegalArgumentException when the file cannot be read or holds an unknown key
   */
  public static CollectorSettings load(Path configFile, Map<String, String> env, Collection<String> knownKeys) {
    Map<String, String> file = new TreeMap<>();
    if (configFile != null) {
      Properties properties = new Properties();
      try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
        properties.load(reader);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the config file " + configFile + ": " + e.getMessage(), e);
      }
      for (String key : properties.stringPropertyNames()) {
        if (!knownKeys.contains(key) && !isAppKey(key)) {
          throw new IllegalArgumentException("config file " + configFile + ": unknown key '" + key
              + "'; known keys: " + String.join(", ", new TreeSet<>(knownKeys)) + ", app, app.<name>");
        }
        file.put(key, properties.getProperty(key).trim());
      }
    }
    return new CollectorSettings(file, Map.copyOf(env), configFile == null ? null : configFile.toString());
  }

  private static boolean isAppKey(String key) {
    return key.equals(APP_KEY) || (key.startsWith(APP_KEY + ".") && key.length() > APP_KEY.length() + 1);
  }

  /** The environment variable of a config key: {@code queue-capacity} → {@code EYE_QUEUE_CAPACITY}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The value of a setting from the environment, else the file, else {@code null}. */
  public String value(String key) {
    String fromEnv = env.get(envName(key));
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.trim();
    }
    return file.get(key);
  }

  /**
   * Application keys from the file ({@code app}, {@code app.*}) then the environment ({@code EYE_APP},
   * {@code EYE_APP_*}), each {@code APP_ID:KEY_ID:SECRET}: lowest precedence first, so a later entry for
   * the same key id replaces an earlier one.
   *
   * @return pairs of (where it came from, spec); the origin names a variable or key, never the value
   */
  public List<Map.Entry<String, String>> applicationSpecs() {
    List<Map.Entry<String, String>> specs = new ArrayList<>();
    file.forEach((key, value) -> {
      if (isAppKey(key) && !value.isBlank()) {
        specs.add(Map.entry("config file " + fileName + ", key " + key, value));
      }
    });
    String envStem = envName(APP_KEY);
    new TreeMap<>(env).forEach((name, value) -> {
      if ((name.equals(envStem) || name.startsWith(envStem + "_")) && !value.isBlank()) {
        specs.add(Map.entry("environment variable " + name, value.trim()));
      }
    });
    return specs;
  }
}
