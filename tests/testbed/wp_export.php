<?php
/*
 * WordPress's own export of a test-bed site: what Tools → Export → All content downloads,
 * written by core's export_wp() (wp-admin/includes/export.php).
 *
 * php wp_export.php CONFIG HOST URL OUT
 */
[$script, $config, $host, $url, $outFile] = $argv;

require __DIR__ . '/wp_env.php';
testbed_request($config, $host, $url);
require_once '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/export.php';

ob_start();
export_wp(['content' => 'all']);
$xml = ob_get_clean();
if (file_put_contents($outFile, $xml) === false || strpos($xml, '<wp:wxr_version>') === false) {
    fwrite(STDERR, "export_wp() wrote no WXR\n");
    exit(1);
}
echo json_encode(['bytes' => strlen($xml)]), "\n";
