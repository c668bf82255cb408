import java.math.BigDecimal;
import java.sql.*;
import java.util.Properties;

/** pgjdbc against DuckCDB: container commands as SYS, then work inside the new PDB. */
public class JdbcSmoke {
    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    public static void main(String[] args) throws Exception {
        String port = args[0], sysPassword = args[1], pdb = args[2];
        String base = "jdbc:postgresql://127.0.0.1:" + port + "/";
        Properties sys = new Properties();
        sys.setProperty("user", "SYS");
        sys.setProperty("password", sysPassword);
        sys.setProperty("sslmode", "disable");
        try (Connection root = DriverManager.getConnection(base + "CDB$ROOT", sys);
             Statement st = root.createStatement()) {
            st.execute("CREATE PLUGGABLE DATABASE " + pdb + " ADMIN USER jadm IDENTIFIED BY \"Jdbc-Pw-1\"");
            st.execute("ALTER PLUGGABLE DATABASE " + pdb + " OPEN");
            try {
                st.execute("ALTER PLUGGABLE DATABASE " + pdb + " OPEN");
            } catch (SQLException e) {
                throw new AssertionError("OPEN of an open PDB in the same mode must be a no-op: " + e);
            }
            try {
                st.execute("CREATE PLUGGABLE DATABASE " + pdb + " ADMIN USER x IDENTIFIED BY y");
                throw new AssertionError("duplicate PDB accepted");
            } catch (SQLException e) {
                check(e.getMessage().contains("ORA-65012"), "ORA-65012 expected: " + e.getMessage());
            }
            boolean found = false;
            try (ResultSet rs = st.executeQuery("SHOW PDBS")) {
                while (rs.next()) found |= rs.getString("CON_NAME").equals(pdb.toUpperCase());
            }
            check(found, "SHOW PDBS lists the new PDB");
            try (PreparedStatement ps = root.prepareStatement("select open_mode from v$pdbs where name = ?")) {
                ps.setString(1, pdb.toUpperCase());
                try (ResultSet rs = ps.executeQuery()) {
                    check(rs.next() && rs.getString(1).equals("READ WRITE"), "v$pdbs open mode");
                }
            }
        }
        Properties adm = new Properties();
        adm.setProperty("user", "jadm");
        adm.setProperty("password", "Jdbc-Pw-1");
        adm.setProperty("sslmode", "disable");
        adm.setProperty("prepareThreshold", "2");
        try (Connection c = DriverManager.getConnection(base + pdb, adm)) {
            try (Statement st = c.createStatement()) {
                st.execute("create table items(id int primary key, name text, price numeric(10,2), ts timestamp, ok boolean)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("insert into items values (?, ?, ?, ?, ?)")) {
                for (int i = 0; i < 20; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "item " + i);
                    ps.setBigDecimal(3, new BigDecimal("1.25").multiply(BigDecimal.valueOf(i)));
                    ps.setTimestamp(4, Timestamp.valueOf("2024-01-02 03:04:05"));
                    ps.setBoolean(5, i % 2 == 0);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                check(counts.length == 20, "batch counts");
            }
            Savepoint sp = c.setSavepoint();
            try (Statement st = c.createStatement()) {
                st.execute("insert into items(id) values (100)");
                try {
                    st.execute("insert into items(id) values (100)");
                    throw new AssertionError("duplicate key accepted");
                } catch (SQLException e) {
                    check("23505".equals(e.getSQLState()), "23505 expected, got " + e.getSQLState());
                }
            }
            c.rollback(sp);
            c.commit();
            try (PreparedStatement ps = c.prepareStatement("select id, name, price, ts, ok from items where id = ?")) {
                for (int i = 0; i < 5; i++) {  // past prepareThreshold: server-prepared
                    ps.setInt(1, 4);
                    try (ResultSet rs = ps.executeQuery()) {
                        check(rs.next(), "row 4");
                        check(rs.getInt(1) == 4 && rs.getString(2).equals("item 4"), "values");
                        check(rs.getBigDecimal(3).compareTo(new BigDecimal("5.00")) == 0, "numeric");
                        check(rs.getTimestamp(4).equals(Timestamp.valueOf("2024-01-02 03:04:05")), "timestamp");
                        check(rs.getBoolean(5), "boolean");
                    }
                }
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from items")) {
                check(rs.next() && rs.getLong(1) == 20, "20 rows after the savepoint rollback");
            }
            c.commit();
            c.setAutoCommit(true);
            DatabaseMetaData md = c.getMetaData();
            check(md.getDatabaseProductName().equals("PostgreSQL"), "product name");
            boolean sawItems = false;
            try (ResultSet rs = md.getTables(null, "public", "%", new String[] {"TABLE"})) {
                while (rs.next()) sawItems |= rs.getString("TABLE_NAME").equals("items");
            }
            check(sawItems, "getTables lists items");
            java.util.List<String> cols = new java.util.ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "public", "items", "%")) {
                while (rs.next()) cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getInt("DATA_TYPE"));
            }
            check(cols.size() == 5 && cols.get(0).equals("id:" + Types.INTEGER), "getColumns: " + cols);
            try (ResultSet rs = md.getPrimaryKeys(null, "public", "items")) {
                check(rs.next() && rs.getString("COLUMN_NAME").equals("id"), "getPrimaryKeys");
            }
            boolean sawPublic = false;
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) sawPublic |= rs.getString("TABLE_SCHEM").equals("public");
            }
            check(sawPublic, "getSchemas lists public");
        }
        System.out.println("JDBC OK");
    }
}
