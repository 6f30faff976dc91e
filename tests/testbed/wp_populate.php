<?php
/*
 * Populate one WordPress site of the test bed from the corpus JSON.
 *
 * php wp_populate.php CONFIG HOST URL THEME CORPUS.json OUT.json PHASE
 *   phase 1: install, options, theme, users, categories, images (attachments with their
 *            generated sizes), posts with featured images, comments
 *   phase 2: (a fresh process, after permalinks are set) write ids and permalinks to OUT.json
 */
[$script, $config, $host, $url, $wantedTheme, $corpusFile, $outFile, $phase] = $argv;

require __DIR__ . '/wp_env.php';
testbed_request($config, $host, $url);
define('WP_INSTALLING', $phase === '1');
require_once '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/taxonomy.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
require_once ABSPATH . 'wp-admin/includes/media.php';

$corpus = json_decode(file_get_contents($corpusFile), true);
const UPLOADS_ROOT = '/var/lib/wordpress/wp-content/uploads/';

if ($phase === '1') {
    if (!is_blog_installed()) {
        wp_install('Werkstatt Marketing', 'admin', 'admin@example.invalid', true, '', 'testbed-pass');
    }
    $options = [
        'siteurl' => $url, 'home' => $url, 'blogname' => 'Werkstatt Marketing',
        'blogdescription' => 'Marketing für kleine Unternehmen',
        'timezone_string' => 'Europe/Berlin', 'gmt_offset' => '',
        'page_comments' => 1, 'comments_per_page' => 10, 'default_comments_page' => 'newest',
        'comment_order' => 'asc', 'thread_comments' => 1, 'thread_comments_depth' => 5,
        'show_avatars' => 1, 'blog_public' => 1, 'posts_per_page' => 10,
        // Each site its own uploads folder (the sites share one wp-content).
        'upload_path' => UPLOADS_ROOT . $config, 'upload_url_path' => $url . '/wp-content/uploads/' . $config,
        'uploads_use_yearmonth_folders' => 1,
        'default_pingback_flag' => 0, 'default_ping_status' => 'closed',
        'comment_registration' => 0, 'require_name_email' => 1, 'comment_moderation' => 0,
        'WPLANG' => '', 'show_on_front' => 'posts',
    ];
    foreach ($options as $name => $value) {
        update_option($name, $value);
    }
    // wp_install() adds "Hello world!" and "Sample Page"; the corpus alone is the truth.
    foreach (get_posts(['post_type' => ['post', 'page'], 'post_status' => 'any', 'numberposts' => -1]) as $p) {
        if (in_array($p->post_name, ['hello-world', 'sample-page'], true)) {
            wp_delete_post($p->ID, true);
        }
    }
    global $wp_rewrite;
    $wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/');
    kses_remove_filters();  // the corpus is trusted HTML; keep it as written

    $users = [];
    foreach ($corpus['authors'] as $login => $name) {
        $id = username_exists($login) ?: wp_insert_user([
            'user_login' => $login, 'user_pass' => 'testbed-pass', 'display_name' => $name,
            'nickname' => $name, 'first_name' => explode(' ', $name)[0],
            'user_email' => $login . '@example.invalid', 'role' => 'author',
        ]);
        $users[$login] = $id;
    }
    $catIds = [];
    foreach ($corpus['posts'] as $post) {
        foreach ($post['categories'] as $path) {
            $parent = 0;
            $sofar = [];
            foreach (explode('/', $path) as $name) {
                $sofar[] = $name;
                $key = implode('/', $sofar);
                if (!isset($catIds[$key])) {
                    $term = term_exists($name, 'category', $parent);
                    if (!$term) {
                        $term = wp_insert_term($name, 'category', ['parent' => $parent]);
                    }
                    $catIds[$key] = (int) $term['term_id'];
                }
                $parent = $catIds[$key];
            }
        }
    }
    // The corpus's images as WordPress's media library has them: an attachment per file,
    // with the sizes WordPress generates (thumbnail, medium, large, …) for srcset.
    $attachments = [];
    foreach (glob($corpus['media_dir'] . '/*.jpg') as $path) {
        $name = basename($path);
        $upload = wp_upload_bits($name, null, file_get_contents($path), '2010/10');
        if (!empty($upload['error'])) {
            fwrite(STDERR, "upload $name: {$upload['error']}\n");
            exit(1);
        }
        $aid = wp_insert_attachment(['post_mime_type' => 'image/jpeg', 'post_title' => $name,
                                     'post_status' => 'inherit'], $upload['file']);
        wp_update_attachment_metadata($aid, wp_generate_attachment_metadata($aid, $upload['file']));
        $attachments[$name] = $aid;
    }
    $byKey = [];
    foreach ($corpus['posts'] as $post) {
        $existing = get_page_by_path($post['slug'], OBJECT, $post['kind'] === 'page' ? 'page' : 'post');
        if ($existing) {
            $byKey[$post['key']] = $existing->ID;
            continue;
        }
        // An image in the text as the editor inserts it: the "large" size, with the
        // attachment's class, so that WordPress adds srcset and sizes when it shows the post.
        $html = preg_replace_callback(
            '#<img src="/media/([^"]+)" alt="" width="\d+" height="\d+">#',
            function ($m) use ($attachments) {
                $aid = $attachments[$m[1]];
                [$src, $w, $h] = wp_get_attachment_image_src($aid, 'large');
                return sprintf('<img src="%s" alt="" width="%d" height="%d" class="wp-image-%d">', $src, $w, $h, $aid);
            },
            $post['body_html']
        );
        $date = new DateTime($post['date']);
        $local = (clone $date)->setTimezone(new DateTimeZone('Europe/Berlin'))->format('Y-m-d H:i:s');
        $gmt = (clone $date)->setTimezone(new DateTimeZone('UTC'))->format('Y-m-d H:i:s');
        $id = wp_insert_post(wp_slash([
            'post_type' => $post['kind'] === 'page' ? 'page' : 'post',
            'post_title' => $post['title'], 'post_name' => $post['slug'],
            'post_content' => $html, 'post_status' => $post['status'],
            'post_author' => $users[$post['author']], 'post_date' => $local,
            'post_date_gmt' => $gmt, 'post_password' => $post['password'],
            'comment_status' => 'open', 'ping_status' => 'closed',
            'post_category' => array_map(fn($c) => $catIds[$c], $post['categories']),
            'tags_input' => $post['tags'],
        ]), true);
        if (is_wp_error($id)) {
            fwrite(STDERR, "post {$post['key']}: " . $id->get_error_message() . "\n");
            exit(1);
        }
        if ($post['sticky']) {
            stick_post($id);
        }
        if ($post['featured']) {
            set_post_thumbnail($id, $attachments[basename($post['featured'])]);
        }
        $byKey[$post['key']] = $id;
        $commentIds = [];
        foreach ($post['comments'] as $c) {
            $cdate = new DateTime($c['date']);
            $cid = wp_insert_comment(wp_slash([
                'comment_post_ID' => $id, 'comment_author' => $c['author'],
                'comment_author_email' => 'c' . $c['id'] . '@example.invalid',
                'comment_author_url' => $c['author_url'] ?? '',
                'comment_content' => $c['text'],
                'comment_date' => (clone $cdate)->setTimezone(new DateTimeZone('Europe/Berlin'))->format('Y-m-d H:i:s'),
                'comment_date_gmt' => (clone $cdate)->setTimezone(new DateTimeZone('UTC'))->format('Y-m-d H:i:s'),
                'comment_parent' => $c['parent'] ? $commentIds[$c['parent']] : 0,
                'comment_approved' => ['approved' => 1, 'pending' => 0, 'spam' => 'spam'][$c['status']],
                'comment_type' => $c['type'] === 'pingback' ? 'pingback' : 'comment',
            ]));
            $commentIds[$c['id']] = $cid;
        }
    }
    exit(0);
}

// Phase 2: a fresh process, so permalinks and term links use the structure set above.
// Themes are not registered while WP_INSTALLING is set, so the theme is switched here.
switch_theme($wantedTheme);
if (get_option('stylesheet') !== $wantedTheme) {
    fwrite(STDERR, "theme $wantedTheme did not activate\n");
    exit(1);
}
flush_rewrite_rules(false);
$out = ['posts' => []];
foreach ($corpus['posts'] as $post) {
    $found = get_page_by_path($post['slug'], OBJECT, $post['kind'] === 'page' ? 'page' : 'post');
    if (!$found) {
        continue;
    }
    $comments = [];
    foreach (get_comments(['post_id' => $found->ID, 'status' => 'all', 'orderby' => 'comment_ID', 'order' => 'ASC']) as $c) {
        $comments[] = ['wp_id' => (int) $c->comment_ID, 'parent' => (int) $c->comment_parent,
                       'email' => $c->comment_author_email, 'approved' => $c->comment_approved];
    }
    $out['posts'][$post['key']] = [
        'id' => $found->ID, 'url' => get_permalink($found), 'status' => $found->post_status,
        'comments' => $comments,
        'categories' => array_map(fn($t) => $t->name, wp_get_post_categories($found->ID, ['fields' => 'all'])),
        'tags' => array_map(fn($t) => $t->name, wp_get_post_tags($found->ID)),
        'author' => get_the_author_meta('display_name', $found->post_author),
        // The original file of each image it shows: what srcset offers as its largest.
        'media' => array_values(array_filter(array_merge(
            [has_post_thumbnail($found) ? wp_get_attachment_url(get_post_thumbnail_id($found)) : null],
            array_map(fn($m) => wp_get_attachment_url((int) $m),
                      preg_match_all('#wp-image-(\d+)#', $found->post_content, $ms) ? $ms[1] : [])
        ))),
    ];
}
$out['home'] = home_url('/');
file_put_contents($outFile, json_encode($out, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES));

